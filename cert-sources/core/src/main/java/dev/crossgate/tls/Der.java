package dev.crossgate.tls;

/**
 * Just enough DER to find one element in a key without BouncyCastle (see {@link MaterialReader} for why): positions in
 * the encoding, -1 for an element that is cut off or not of a form read here (definite lengths of up to three octets).
 */
final class Der {

    private Der() {
    }

    /** The tag of the DER element at {@code at}, or -1 when there is none. */
    static int tag(byte[] der, int at) {
        return at >= 0 && at < der.length ? der[at] & 0xff : -1;
    }

    /** Where the content of the DER element at {@code at} starts, or -1 when its header is cut off or not one we read. */
    static int content(byte[] der, int at) {
        if (at < 0 || at + 2 > der.length) {
            return -1;
        }
        int first = der[at + 1] & 0xff;
        return first == 0x80 || first > 0x83 ? -1 : first < 0x80 ? at + 2 : at + 2 + (first & 0x7f);
    }

    /** Just past the DER element at {@code at}, or -1 when it is cut off. */
    static int end(byte[] der, int at) {
        int content = content(der, at);
        if (content < 0 || content > der.length) {
            return -1;
        }
        int length = der[at + 1] & 0xff;
        if (length >= 0x80) {
            length = 0;
            for (int i = at + 2; i < content; i++) {
                length = (length << 8) | (der[i] & 0xff);
            }
        }
        return content + length > der.length ? -1 : content + length;
    }
}
