package dev.crossgate.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

/** Facts about keys that validation and operators need, using only the JDK's own providers. */
public final class Keys {

    private Keys() {
    }

    /** "RSA-2048", "EC P-256", "Ed25519": how operators name key types. */
    public static String describe(java.security.Key key) {
        if (key instanceof RSAKey rsa) {
            return "RSA-" + rsa.getModulus().bitLength();
        }
        if (key instanceof ECKey ec) {
            return "EC P-" + ec.getParams().getCurve().getField().getFieldSize();
        }
        return key.getAlgorithm();
    }

    /** Strength in bits comparable across algorithms only within one algorithm; -1 when not RSA or EC. */
    public static int bits(java.security.Key key) {
        if (key instanceof RSAKey rsa) {
            return rsa.getModulus().bitLength();
        }
        if (key instanceof ECKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize();
        }
        return -1;
    }

    /**
     * Whether {@code privateKey} belongs to {@code publicKey}. When the private key carries its public half (an RSA CRT key's
     * modulus and exponent; the point a PKCS#8 EC key from OpenSSL holds beside its scalar) and that equals the public key,
     * as OpenSSL compares them: yes, at once. Otherwise sign a random challenge and verify it, which works for every
     * algorithm the JDK signs with: on a fresh JVM that costs 20-40 ms per key, interpreted, at start and at every reload.
     */
    public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        if (!compatibleAlgorithms(privateKey.getAlgorithm(), publicKey.getAlgorithm())) {
            return false;
        }
        if (carriesPublicHalfOf(privateKey, publicKey)) {
            return true; // a key whose public half differs, or that has none, still gets the signature: no is never said here
        }
        String algorithm = signatureAlgorithm(privateKey);
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean carriesPublicHalfOf(PrivateKey privateKey, PublicKey publicKey) {
        if (privateKey instanceof RSAPrivateCrtKey rsa && publicKey instanceof RSAPublicKey rsaPublic) {
            return rsa.getModulus().equals(rsaPublic.getModulus()) && rsa.getPublicExponent().equals(rsaPublic.getPublicExponent());
        }
        if (privateKey instanceof ECPrivateKey && publicKey instanceof ECPublicKey ecPublic) {
            byte[] carried = ecPublicPointOf(privateKey.getEncoded());
            return carried != null && Arrays.equals(carried, uncompressedPoint(ecPublic));
        }
        return false;
    }

    /**
     * The public point an EC private key's PKCS#8 encoding holds ({@code ECPrivateKey.publicKey [1]} of RFC 5915, which
     * OpenSSL writes), or null when it holds none or is not what is expected.
     */
    static byte[] ecPublicPointOf(byte[] pkcs8) {
        try {
            Der info = new Der(pkcs8).enter(0x30); // PrivateKeyInfo
            info.skip(0x02).skip(0x30); // version, algorithm
            Der key = info.enter(0x04).enter(0x30); // privateKey: an ECPrivateKey
            key.skip(0x02).skip(0x04); // version, the scalar
            while (key.more()) {
                if (key.peek() == 0xA1) {
                    Der point = key.enter(0xA1).enter(0x03);
                    return point.unusedBitsZero() ? point.rest() : null;
                }
                key.skip(key.peek()); // [0] parameters
            }
            return null;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** {@code 04 || X || Y}, each at the curve's width: how TLS, X.509 and RFC 5915 write a point. */
    static byte[] uncompressedPoint(ECPublicKey key) {
        int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        byte[] point = new byte[1 + 2 * size];
        point[0] = 4;
        unsigned(key.getW().getAffineX(), point, 1, size);
        unsigned(key.getW().getAffineY(), point, 1 + size, size);
        return point;
    }

    private static void unsigned(BigInteger value, byte[] into, int offset, int size) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > size ? bytes.length - size : 0; // the sign byte
        System.arraycopy(bytes, skip, into, offset + size - (bytes.length - skip), bytes.length - skip);
    }

    /** Just enough DER to walk a PKCS#8 EC key: definite lengths, one element after another. */
    private static final class Der {
        private final byte[] bytes;
        private int position;
        private final int end;

        Der(byte[] bytes) {
            this(bytes, 0, bytes.length);
        }

        private Der(byte[] bytes, int position, int end) {
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        int peek() {
            return bytes[position] & 0xFF;
        }

        /** The contents of the next element, which must have this tag. */
        Der enter(int tag) {
            int contentEnd = header(tag);
            Der inner = new Der(bytes, position, contentEnd);
            position = contentEnd;
            return inner;
        }

        Der skip(int tag) {
            position = header(tag);
            return this;
        }

        boolean unusedBitsZero() {
            return bytes[position++] == 0;
        }

        byte[] rest() {
            return Arrays.copyOfRange(bytes, position, end);
        }

        private int header(int tag) {
            if (position >= end || peek() != tag) {
                throw new IllegalArgumentException("not the expected element");
            }
            position++;
            int length = bytes[position++] & 0xFF;
            if (length > 0x7F) {
                int octets = length & 0x7F;
                if (octets == 0 || octets > 3) {
                    throw new IllegalArgumentException("length");
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = length << 8 | bytes[position++] & 0xFF;
                }
            }
            if (length > end - position) {
                throw new IllegalArgumentException("length beyond the element");
            }
            return position + length;
        }
    }

    /** The signature algorithm that fits a key of this type, for signing certificates and challenges. */
    public static String signatureAlgorithm(java.security.Key key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> bits(key) > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
    }

    private static boolean compatibleAlgorithms(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String algorithm) {
        return switch (algorithm) {
            case "ECDSA" -> "EC";
            case "EdDSA" -> "Ed25519";
            default -> algorithm;
        };
    }
}
