package dev.crossgate.certsource.kubernetes;

/** The one Secret a source follows. */
record SecretRef(String sourceName, String namespace, String name) {

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
