package dev.crossgate.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;

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
     * Whether {@code privateKey} belongs to {@code publicKey}: sign a random challenge and verify it,
     * which works for every algorithm the JDK signs with and needs no per-algorithm arithmetic.
     */
    public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        if (!compatibleAlgorithms(privateKey.getAlgorithm(), publicKey.getAlgorithm())) {
            return false;
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
