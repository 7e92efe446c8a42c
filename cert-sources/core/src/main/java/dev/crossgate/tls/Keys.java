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
     * algorithm the JDK signs with: on a fresh JVM that costs 50-65 ms per EC key, interpreted, at start and at every reload.
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
        int version = Der.tag(pkcs8, 0) == 0x30 ? Der.content(pkcs8, 0) : -1; // in PrivateKeyInfo
        int algorithm = Der.tag(pkcs8, version) == 0x02 ? Der.end(pkcs8, version) : -1;
        int wrapped = Der.tag(pkcs8, algorithm) == 0x30 ? Der.end(pkcs8, algorithm) : -1;
        int key = Der.tag(pkcs8, wrapped) == 0x04 ? Der.content(pkcs8, wrapped) : -1; // the ECPrivateKey in its OCTET STRING
        int keyEnd = Der.tag(pkcs8, key) == 0x30 ? Der.end(pkcs8, key) : -1;
        int keyVersion = keyEnd < 0 ? -1 : Der.content(pkcs8, key);
        int scalar = Der.tag(pkcs8, keyVersion) == 0x02 ? Der.end(pkcs8, keyVersion) : -1;
        int next = Der.tag(pkcs8, scalar) == 0x04 ? Der.end(pkcs8, scalar) : -1;
        if (next >= 0 && next < keyEnd && Der.tag(pkcs8, next) == 0xA0) {
            next = Der.end(pkcs8, next); // [0] parameters
        }
        int bits = next >= 0 && next < keyEnd && Der.tag(pkcs8, next) == 0xA1 ? Der.content(pkcs8, next) : -1; // [1] publicKey
        int point = Der.tag(pkcs8, bits) == 0x03 ? Der.content(pkcs8, bits) : -1;
        int pointEnd = point < 0 ? -1 : Der.end(pkcs8, bits);
        // a BIT STRING's first octet counts the unused bits of its last: a point has none
        return pointEnd > point + 1 && pointEnd <= keyEnd && pkcs8[point] == 0 ? Arrays.copyOfRange(pkcs8, point + 1, pointEnd) : null;
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
