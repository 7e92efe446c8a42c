package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;

/**
 * The admin port tells operators what is served and what went wrong, and nothing more: no key, passphrase or key
 * fragment in any answer, even after a rotation was refused for a damaged key, and no method that changes anything.
 */
class AdminEndpointsTest extends GatewayTest {

    private static final List<String> PATHS = List.of("/stats", "/metrics", "/certs", "/health/liveness", "/health/readiness");
    private static final String PASSPHRASE = "correct-horse-battery-staple-7f3a";

    @Test
    void theAdminEndpointsShowNoKeyMaterialAndAnswerOnlyGet() throws Exception {
        TestPki pki = TestPki.create("admin-ca");
        CertificateIssuer.Issued served = pki.server("localhost");
        TestPki.write(dir.resolve("tls.crt"), PemWriter.certificates(served.certificate()));
        String encryptedKey = PemWriter.encryptedPkcs8(served.keyPair().getPrivate(), PASSPHRASE.toCharArray());
        TestPki.write(dir.resolve("tls.key"), encryptedKey);
        int port = Processes.freePort();
        Map<String, String> env = new HashMap<>();
        GatewayEnv.fileSource(env, "edge", dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        env.put("CROSSGATE_CERTS_EDGE_KEY_PASSWORD", PASSPHRASE);
        GatewayEnv.tlsListener(env, "edge", port, "http", "edge", "backend");
        env.put("CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "127.0.0.1:" + Processes.freePort());
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_MODE", "off");
        gateway = GatewayProcess.start(dir, env).awaitReady();

        // a rotation to a key whose first line ran into its BEGIN line (the shape fuzzing found): refused, explained without the key
        CertificateIssuer.Issued next = pki.server("localhost");
        String plainKey = PemWriter.pkcs8(next.keyPair().getPrivate());
        String damaged = "-----BEGIN " + body(plainKey).substring(0, 48) + "PRIVATE KEY-----\n"
                + plainKey.substring(plainKey.indexOf('\n') + 1);
        TestPki.write(dir.resolve("tls.crt"), PemWriter.certificates(next.certificate()));
        TestPki.write(dir.resolve("tls.key"), damaged);
        gateway.awaitStatAtLeast("certs.edge.rejected_reloads", 1);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> secrets = List.of(PASSPHRASE, body(encryptedKey), body(plainKey),
                java.util.Base64.getEncoder().encodeToString(served.keyPair().getPrivate().getEncoded()));
        Map<String, Long> before = gateway.stats();
        for (String path : PATHS) {
            HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).as(path).isEqualTo(200);
            for (String secret : secrets) {
                for (int i = 0; i + 20 <= secret.length(); i += 10) {
                    assertThat(get.body()).as("GET %s quotes a secret", path).doesNotContain(secret.substring(i, i + 20));
                }
            }
            assertThat(get.body()).doesNotContain("PRIVATE KEY");
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                HttpResponse<String> write = client.send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofString("{}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(write.statusCode()).as("%s %s", method, path).isEqualTo(405);
                assertThat(write.headers().firstValue("allow")).hasValue("GET");
            }
        }
        String certs = gateway.admin("/certs").body();
        assertThat(certs).contains("\"last_rejection\"").contains("truncated or damaged").contains("[...]");
        // nothing a request to the admin port did changed what the gateway serves
        assertThat(gateway.stats().get("certs.edge.reloads")).isEqualTo(before.get("certs.edge.reloads"));
        assertThat(Files.readString(gateway.log)).doesNotContain(PASSPHRASE).doesNotContain(body(plainKey).substring(48, 80));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.adminPort + path);
    }

    /** The base64 body of a PEM block, on one line. */
    private static String body(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }
}
