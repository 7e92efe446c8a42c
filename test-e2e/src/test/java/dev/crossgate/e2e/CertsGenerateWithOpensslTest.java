package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code certs generate} from the packaged jar, judged by real TLS tools: openssl verifies the chain and
 * purposes, an openssl server requiring client certificates serves with them, curl and s_client connect.
 */
class CertsGenerateWithOpensslTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ec-p256,''", "ec-p384,''", "rsa-2048,--pkcs1", "rsa-3072,''", "ec-p256,--pkcs1", "ed25519,''"})
    void generatedSetWorksWithOpensslAndCurl(String keyType, String extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("certs", "generate", "--out", dir.toString(), "--hosts", "localhost,127.0.0.1", "--key-type", keyType));
        if (!extra.isEmpty()) {
            args.add(extra);
        }
        Processes.Result generated = Processes.run(dir, Duration.ofSeconds(60), Processes.crossgate(args.toArray(String[]::new)));
        assertThat(generated.exitCode()).as(generated.output()).isZero();

        assertThat(Processes.ok(dir, "openssl", "verify", "-CAfile", "ca.crt", "-purpose", "sslserver", "server.crt").output()).contains("server.crt: OK");
        assertThat(Processes.ok(dir, "openssl", "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "client.crt").output()).contains("client.crt: OK");
        // the purposes are not interchangeable
        assertThat(Processes.run(dir, "openssl", "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "server.crt").exitCode()).isNotZero();
        if (extra.equals("--pkcs1")) {
            String header = keyType.startsWith("rsa") ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----";
            assertThat(java.nio.file.Files.readString(dir.resolve("server.pem"))).startsWith(header);
        }

        int port = Processes.freePort();
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "server.crt", "-key", "server.pem",
                "-CAfile", "ca.crt", "-Verify", "1", "-verify_return_error", "-www", "-quiet")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            Processes.awaitListening(port, server, dir.resolve("s_server.log"), Duration.ofSeconds(20));
            String url = "https://localhost:" + port + "/";
            Processes.Result curl = Processes.ok(dir, "curl", "-sS", "--max-time", "20", "--cacert", "ca.crt", "--cert", "client.crt", "--key", "client.pem", url);
            assertThat(curl.output()).contains("s_server");
            // the same request without the client certificate is refused by the server
            assertThat(Processes.run(dir, "curl", "-sS", "--max-time", "20", "--cacert", "ca.crt", url).exitCode()).isNotZero();

            Processes.Result sClient = Processes.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost",
                    "-verify_hostname", "localhost", "-CAfile", "ca.crt", "-cert", "client.crt", "-key", "client.pem", "-verify_return_error", "-brief");
            assertThat(sClient.output()).contains("Verification: OK");
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @org.junit.jupiter.api.Test
    void clientNamesGiveTheClientCertificateItsIdentities() throws Exception {
        Processes.Result generated = Processes.run(dir, Duration.ofSeconds(60), Processes.crossgate("certs", "generate", "--out", dir.toString(),
                "--hosts", "gateway-b.region-b.internal", "--client-names", "spiffe://crossgate/region-a/gateway,gateway-a.region-a.internal"));
        assertThat(generated.exitCode()).as(generated.output()).isZero();
        assertThat(generated.output()).contains("client certificate for [URI:spiffe://crossgate/region-a/gateway, DNS:gateway-a.region-a.internal]");

        String client = Processes.ok(dir, "openssl", "x509", "-in", "client.crt", "-noout", "-subject", "-ext", "subjectAltName").output();
        assertThat(client).contains("CN = spiffe://crossgate/region-a/gateway", "URI:spiffe://crossgate/region-a/gateway",
                "DNS:gateway-a.region-a.internal");
        assertThat(Processes.ok(dir, "openssl", "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "client.crt").output()).contains("client.crt: OK");
    }
}
