package dev.crossgate.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * The secrets the test suite makes (private keys, tokens), written down as the build goes so that a last test can
 * check that none of them shows up in anything the suite printed or logged. Recorded only when the build names a
 * folder ({@code crossgate.test-secrets.dir}); one file per test JVM, one secret per line.
 */
public final class TestSecrets {

    public static final String DIR_PROPERTY = "crossgate.test-secrets.dir";

    private TestSecrets() {
    }

    /** A private key, by the base64 of its PKCS#8 encoding (the body of its PEM file). */
    public static void rememberKey(java.security.PrivateKey key) {
        remember(Base64.getEncoder().encodeToString(key.getEncoded()));
    }

    public static synchronized void remember(String secret) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || secret == null || secret.isBlank()) {
            return;
        }
        try {
            Path folder = Files.createDirectories(Path.of(dir));
            Files.writeString(folder.resolve("secrets-" + ProcessHandle.current().pid() + ".txt"), secret.strip() + "\n",
                    StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record a test secret in " + dir, e);
        }
    }
}
