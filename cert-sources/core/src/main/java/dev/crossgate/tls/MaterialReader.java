package dev.crossgate.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns bytes from a file, a Secret or an API into certificates and private keys. The forms nearly every source
 * delivers, PEM certificates and unencrypted PKCS#8 keys ({@code certs generate}, cert-manager, ACM PCA, openssl
 * genpkey), are read here with the JDK alone; everything else, and every input that is not clean, goes to
 * {@link BouncyCastleMaterialReader}, which reads the other formats and explains what is wrong.
 * <p>
 * Why two readers: this class links against nothing of BouncyCastle, so a start with the common forms never loads it. In
 * the container image BouncyCastle comes as its signed jars: their classes cannot be in the class-data archive and the
 * JVM checks their signatures when the first one loads, which cost a TLS start there 0.3-0.4 s.
 */
public final class MaterialReader {

    /** PKCS#8 algorithm identifiers (the OID's DER content, in hex) the JDK reads keys of, by their KeyFactory names. */
    private static final Map<String, String> KEY_ALGORITHMS = Map.of(
            "2a8648ce3d0201", "EC",
            "2a864886f70d010101", "RSA",
            "2a864886f70d01010a", "RSASSA-PSS",
            "2b6570", "Ed25519",
            "2b6571", "Ed448");

    private MaterialReader() {
    }

    /** Every certificate in {@code bytes}, in file order. */
    public static List<X509Certificate> readCertificates(byte[] bytes, String origin) throws MaterialException {
        List<byte[]> blocks = cleanPemBlocks(bytes, "CERTIFICATE");
        if (blocks != null) {
            try {
                List<X509Certificate> certificates = new ArrayList<>(blocks.size());
                for (byte[] der : blocks) {
                    certificates.add(x509(der));
                }
                return certificates;
            } catch (GeneralSecurityException | RuntimeException e) {
                // not for the JDK alone: the full reader says why
            }
        }
        return BouncyCastleMaterialReader.readCertificates(bytes, origin);
    }

    /** One DER certificate as the JDK reads it: what both readers hand on, whichever parsed the file. */
    static X509Certificate x509(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /**
     * The one private key in {@code bytes}. {@code password} opens encrypted PKCS#8 and legacy encrypted PEM; it may be
     * null when the key is not encrypted.
     */
    public static PrivateKey readPrivateKey(byte[] bytes, char[] password, String origin) throws MaterialException {
        List<byte[]> blocks = cleanPemBlocks(bytes, "PRIVATE KEY");
        String algorithm = blocks == null || blocks.size() != 1 ? null : keyAlgorithm(blocks.get(0));
        if (algorithm != null) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not for the JDK alone: the full reader says why
            }
        }
        return BouncyCastleMaterialReader.readPrivateKey(bytes, password, origin);
    }

    /**
     * The DER of each PEM block when {@code bytes} holds only blocks labelled {@code label}, each with a plain base64 body
     * (no headers) that decodes to exactly one DER SEQUENCE; null for anything else, which the full reader then handles.
     * Text between blocks is ignored, as openssl and BouncyCastle ignore it.
     */
    private static List<byte[]> cleanPemBlocks(byte[] bytes, String label) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> blocks = new ArrayList<>(2);
        int at = 0;
        for (int dashes = text.indexOf("-----", at); dashes >= 0; dashes = text.indexOf("-----", at)) {
            if (!text.startsWith(begin, dashes)) {
                return null;
            }
            int bodyStart = dashes + begin.length();
            int bodyEnd = text.indexOf("-----", bodyStart);
            if (bodyEnd < 0 || !text.startsWith(end, bodyEnd)) {
                return null;
            }
            byte[] der = base64(text, bodyStart, bodyEnd);
            if (der == null || !isOneDerSequence(der)) {
                return null;
            }
            blocks.add(der);
            at = bodyEnd + end.length();
        }
        return blocks.isEmpty() ? null : blocks;
    }

    private static byte[] base64(String text, int from, int to) {
        StringBuilder body = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
                body.append(c);
            }
        }
        try {
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A SEQUENCE whose encoded length is the whole of {@code der}: nothing cut off, nothing after it. */
    private static boolean isOneDerSequence(byte[] der) {
        return der.length >= 2 && der[0] == 0x30 && Der.end(der, 0) == der.length;
    }

    /** The KeyFactory name for a PKCS#8 key the JDK reads, or null (found by fuzzing: Map.of refuses to look up null). */
    private static String keyAlgorithm(byte[] pkcs8) {
        String oid = pkcs8AlgorithmOid(pkcs8);
        return oid == null ? null : KEY_ALGORITHMS.get(oid);
    }

    /**
     * The algorithm OID of a PKCS#8 PrivateKeyInfo (SEQUENCE { INTEGER version, SEQUENCE { OID, ... }, ... }) in hex, or
     * null when {@code der} does not start that way.
     */
    private static String pkcs8AlgorithmOid(byte[] der) {
        int version = Der.content(der, 0);
        int algorithm = Der.tag(der, version) == 0x02 ? Der.end(der, version) : -1;
        int oid = Der.tag(der, algorithm) == 0x30 ? Der.content(der, algorithm) : -1;
        int oidEnd = Der.tag(der, oid) == 0x06 ? Der.end(der, oid) : -1;
        return oidEnd < 0 ? null : HexFormat.of().formatHex(der, Der.content(der, oid), oidEnd);
    }
}
