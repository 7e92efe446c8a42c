package dev.crossgate.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Key types Crossgate generates, under the names users type on the command line and in settings. */
public enum KeyType {
    EC_P256("ec-p256"),
    EC_P384("ec-p384"),
    RSA_2048("rsa-2048"),
    RSA_3072("rsa-3072"),
    RSA_4096("rsa-4096"),
    ED25519("ed25519");

    private final String label;

    KeyType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static KeyType parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (KeyType type : values()) {
            if (type.label.equals(wanted)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown key type '" + text + "'; use one of " + labels());
    }

    public static String labels() {
        return Arrays.stream(values()).map(KeyType::label).collect(Collectors.joining(", "));
    }

    public KeyPair generate() {
        try {
            return switch (this) {
                case EC_P256 -> ec("secp256r1");
                case EC_P384 -> ec("secp384r1");
                case RSA_2048 -> rsa(2048);
                case RSA_3072 -> rsa(3072);
                case RSA_4096 -> rsa(4096);
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate a " + label + " key", e);
        }
    }

    private static KeyPair ec(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    public static KeyPair rsa(int bits) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }
}
