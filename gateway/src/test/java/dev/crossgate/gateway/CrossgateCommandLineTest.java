package dev.crossgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.crossgate.tls.Keys;
import dev.crossgate.tls.MaterialReader;
import dev.crossgate.tls.MaterialValidator;
import dev.crossgate.tls.SubjectAltName;
import dev.crossgate.tls.TlsMaterial;

class CrossgateCommandLineTest {

    record Outcome(int exitCode, String out, String err) {
    }

    static Outcome run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Crossgate.run(args, environment, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void withoutListenersItExitsNonZeroAndSaysWhy() {
        Outcome outcome = run(Map.of());
        assertThat(outcome.exitCode()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
        assertThat(outcome.err()).contains("no listener is configured");
    }

    @Test
    void reportsEveryConfigurationProblemNamingTheVariable(@TempDir Path dir) {
        Outcome outcome = run(Map.of("CROSSGATE_CERTS_EDGE_SOURCE", "file",
                "CROSSGATE_CERTS_EDGE_CERT_PATH", dir.resolve("nope.crt").toString(),
                "CROSSGATE_CERTS_EDGE_KEY_PATH", dir.resolve("nope.key").toString()));
        assertThat(outcome.exitCode()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
        assertThat(outcome.err()).contains("crossgate.certs.edge.cert-path (CROSSGATE_CERTS_EDGE_CERT_PATH): " + dir.resolve("nope.crt") + " does not exist");

        Outcome typo = run(Map.of("CROSSGATE_CERTS_EDGE_SOURCE", "file", "CROSSGATE_CERTS_EDGE_CA_PAHT", "/x"));
        assertThat(typo.exitCode()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
        assertThat(typo.err()).contains("did you mean CROSSGATE_CERTS_EDGE_CA_PATH?");
    }

    @ParameterizedTest
    @CsvSource({"openssl, OpenSSL 3.2 or newer", "aws-lc, tools/aws-lc/build.sh"})
    void askingForANativeLibraryWhereItCannotLoadStopsTheStartAndSaysWhatToProvide(String library, String howToProvide) {
        Outcome outcome = run(Map.of("CROSSGATE_TLS_LIBRARY", library));
        assertThat(outcome.exitCode()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
        assertThat(outcome.err()).contains("crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is " + library + ": no netty_tcnative_")
                .contains("-Djava.library.path=").contains(howToProvide).contains("or set crossgate.tls.library to boringssl");
    }

    @Test
    void aMisspelledTlsLibraryIsRefusedNamingTheChoices() {
        Outcome misspelled = run(Map.of("CROSSGATE_TLS_LIBRARY", "libressl"));
        assertThat(misspelled.exitCode()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
        assertThat(misspelled.err()).contains("CROSSGATE_TLS_LIBRARY").contains("libressl").contains("openssl").contains("aws-lc");
    }

    @Test
    void certsGenerateWritesAVerifiableSetWithPrivateKeysForTheOwnerOnly(@TempDir Path dir) throws Exception {
        Outcome outcome = run(Map.of(), "certs", "generate", "--out", dir.toString(), "--hosts", "gw.example, 10.0.0.7,::1,spiffe://example/gw",
                "--days", "30");
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("Wrote a development CA").contains("openssl verify");

        MaterialValidator validator = new MaterialValidator(Clock.systemUTC(), Duration.ofDays(1), true);
        var ca = MaterialReader.readCertificates(Files.readAllBytes(dir.resolve("ca.crt")), "ca.crt");
        TlsMaterial server = validator.validate("server", MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("server.pem")), null, "server.pem"),
                MaterialReader.readCertificates(Files.readAllBytes(dir.resolve("server.crt")), "server.crt"), ca,
                new MaterialValidator.Origins("server.crt", "server.pem", "ca.crt")).material();
        assertThat(server.leafFacts().orElseThrow().subjectAltNames()).containsExactly(SubjectAltName.dns("gw.example"),
                SubjectAltName.ip("10.0.0.7"), SubjectAltName.ip("0:0:0:0:0:0:0:1"), SubjectAltName.uri("spiffe://example/gw"));
        assertThat(server.leaf().orElseThrow().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(Duration.between(server.leafFacts().orElseThrow().notBefore(), server.leafFacts().orElseThrow().notAfter()))
                .isBetween(Duration.ofDays(30), Duration.ofDays(30).plusMinutes(6));
        TlsMaterial client = validator.validate("client", MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("client.pem")), null, "client.pem"),
                MaterialReader.readCertificates(Files.readAllBytes(dir.resolve("client.crt")), "client.crt"), ca,
                new MaterialValidator.Origins("client.crt", "client.pem", "ca.crt")).material();
        assertThat(client.leaf().orElseThrow().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(Keys.describe(client.privateKey())).isEqualTo("EC P-256");
        for (String key : List.of("ca.key", "server.pem", "client.pem")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(key))).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        assertThat(Files.readString(dir.resolve("server.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void certsGeneratePkcs1RsaAndRefusals(@TempDir Path dir) throws Exception {
        Outcome outcome = run(Map.of(), "certs", "generate", "--out", dir.toString(), "--key-type", "rsa-2048", "--pkcs1");
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(Files.readString(dir.resolve("server.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Keys.describe(MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("client.pem")), null, "client.pem"))).isEqualTo("RSA-2048");

        String before = Files.readString(dir.resolve("ca.crt"));
        Outcome again = run(Map.of(), "certs", "generate", "--out", dir.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("ca.crt already exists; pass --force");
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(before);
        assertThat(run(Map.of(), "certs", "generate", "--out", dir.toString(), "--force").exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("ca.crt"))).isNotEqualTo(before);

        Outcome badType = run(Map.of(), "certs", "generate", "--out", dir.resolve("x").toString(), "--key-type", "dsa");
        assertThat(badType.exitCode()).isEqualTo(2);
        assertThat(badType.err()).contains("unknown key type 'dsa'; use one of ec-p256, ec-p384, rsa-2048");
        Outcome edPkcs1 = run(Map.of(), "certs", "generate", "--out", dir.resolve("y").toString(), "--key-type", "ed25519", "--pkcs1");
        assertThat(edPkcs1.err()).contains("Ed25519 keys have no PKCS#1 form");
        assertThat(run(Map.of(), "certs", "generate").exitCode()).isEqualTo(2); // --out is required
    }
}
