package dev.crossgate.tls;

import java.util.Locale;

/** One subject alternative name of a certificate, typed as X.509 types it. */
public record SubjectAltName(Type type, String value) {

    public enum Type {
        DNS, IP, URI, EMAIL;

        /** The GeneralName tag numbers of RFC 5280 that we understand. */
        static Type fromGeneralNameTag(int tag) {
            return switch (tag) {
                case 1 -> EMAIL;
                case 2 -> DNS;
                case 6 -> URI;
                case 7 -> IP;
                default -> null;
            };
        }
    }

    public static SubjectAltName dns(String name) {
        return new SubjectAltName(Type.DNS, name.toLowerCase(Locale.ROOT));
    }

    public static SubjectAltName ip(String address) {
        return new SubjectAltName(Type.IP, address);
    }

    public static SubjectAltName uri(String uri) {
        return new SubjectAltName(Type.URI, uri);
    }

    @Override
    public String toString() {
        return type + ":" + value;
    }
}
