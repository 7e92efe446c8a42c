package dev.crossgate.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Certificates for tests, issued fresh in each test run: never checked-in key material. */
public final class TestPki {

    public final CertificateIssuer.Issued ca;

    private TestPki(CertificateIssuer.Issued ca) {
        this.ca = ca;
    }

    public static TestPki create(String caName) {
        return create(caName, KeyType.EC_P256);
    }

    public static TestPki create(String caName, KeyType caKey) {
        Instant now = Instant.now();
        KeyPair keys = caKey.generate();
        TestSecrets.rememberKey(keys.getPrivate());
        return new TestPki(CertificateIssuer.rootCa(caName, keys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650))));
    }

    public CertificateIssuer.Issued server(String... hosts) {
        return issue("server", KeyType.EC_P256.generate(), CertificateIssuer.Usage.SERVER, hosts);
    }

    public CertificateIssuer.Issued client(String commonName, String... hosts) {
        return issue(commonName, KeyType.EC_P256.generate(), CertificateIssuer.Usage.CLIENT, hosts);
    }

    public CertificateIssuer.Issued issue(String commonName, KeyPair keys, CertificateIssuer.Usage usage, String... hosts) {
        Instant now = Instant.now();
        return issue(commonName, keys, usage, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90)), hosts);
    }

    public CertificateIssuer.Issued issue(String commonName, KeyPair keys, CertificateIssuer.Usage usage,
                                          Instant notBefore, Instant notAfter, String... hosts) {
        TestSecrets.rememberKey(keys.getPrivate());
        List<SubjectAltName> sans = java.util.Arrays.stream(hosts).map(CertificateIssuer::nameOf).toList();
        return CertificateIssuer.leaf(ca, commonName, sans, usage, keys, notBefore, notAfter);
    }

    public String caPem() {
        return PemWriter.certificates(ca.certificate());
    }

    /** Writes {@code cert}, {@code key} and {@code ca} PEM files of {@code issued} to the given paths. */
    public void writeFiles(CertificateIssuer.Issued issued, Path cert, Path key, Path caFile) throws IOException {
        write(cert, PemWriter.certificates(issued.certificate()));
        write(key, PemWriter.pkcs8(issued.keyPair().getPrivate()));
        if (caFile != null) {
            write(caFile, caPem());
        }
    }

    public static void write(Path path, String text) throws IOException {
        Files.writeString(path, text, StandardCharsets.US_ASCII);
    }
}
