package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;

/** How a terminating listener picks its certificate, and what it does while it has none. */
class ListenerTlsTest {

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("sni-ca");
    private GatewayProcess gateway;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private Map<String, String> listenerWith(String certs, int port) {
        Map<String, String> env = new HashMap<>();
        env.put("CROSSGATE_LISTENERS_WEB_HOST", "127.0.0.1");
        env.put("CROSSGATE_LISTENERS_WEB_PORT", Integer.toString(port));
        env.put("CROSSGATE_LISTENERS_WEB_CONNECTOR", "nowhere");
        env.put("CROSSGATE_LISTENERS_WEB_TLS_CERTS", certs);
        env.put("CROSSGATE_CONNECTORS_NOWHERE_ADDRESS", "127.0.0.1:" + 1);
        env.put("CROSSGATE_CONNECTORS_NOWHERE_TLS_MODE", "off");
        return env;
    }

    private void fileSource(Map<String, String> env, String name, String... hosts) throws Exception {
        var issued = ca.server(hosts);
        TestPki.write(dir.resolve(name + ".crt"), PemWriter.certificates(issued.certificate()));
        TestPki.write(dir.resolve(name + ".key"), PemWriter.pkcs8(issued.keyPair().getPrivate()));
        GatewayEnv.fileSource(env, name, dir.resolve(name + ".crt"), dir.resolve(name + ".key"), null);
    }

    @Test
    void severalCertificatesAreChosenBySni() throws Exception {
        TestPki.write(dir.resolve("ca.crt"), ca.caPem());
        int port = Processes.freePort();
        Map<String, String> env = listenerWith("orders,wild", port);
        fileSource(env, "orders", "orders.example");
        fileSource(env, "wild", "*.billing.example");
        gateway = GatewayProcess.start(dir, env).awaitReady();
        assertThat(peerName(port, "orders.example")).contains("Verification: OK");
        assertThat(peerName(port, "eu.billing.example")).contains("Verification: OK");
        // a name no certificate covers gets the first one, and the client's own verification says so
        assertThat(peerName(port, "other.example")).doesNotContain("Verification: OK");
        assertThat(gateway.stat("listener.web.ssl.handshake")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void rsaAndEcdsaCertificatesForTheSameNameArePickedByTheClientsSignatureAlgorithms() throws Exception {
        TestPki.write(dir.resolve("ca.crt"), ca.caPem());
        int port = Processes.freePort();
        Map<String, String> env = listenerWith("dual-ec,dual-rsa", port);
        fileSource(env, "dual-ec", "dual.example");
        var rsa = ca.issue("dual.example", KeyType.RSA_2048.generate(), dev.crossgate.tls.CertificateIssuer.Usage.SERVER, "dual.example");
        TestPki.write(dir.resolve("dual-rsa.crt"), PemWriter.certificates(rsa.certificate()));
        TestPki.write(dir.resolve("dual-rsa.key"), PemWriter.traditional(rsa.keyPair().getPrivate()));
        GatewayEnv.fileSource(env, "dual-rsa", dir.resolve("dual-rsa.crt"), dir.resolve("dual-rsa.key"), null);
        gateway = GatewayProcess.start(dir, env).awaitReady();
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            assertThat(handshakeWith(port, version, "ECDSA+SHA256:ECDSA+SHA384")).as(version).contains("Verification: OK")
                    .contains("Signature type: ECDSA");
            assertThat(handshakeWith(port, version, "RSA-PSS+SHA256:RSA+SHA256")).as(version).contains("Verification: OK")
                    .containsPattern("Signature type: RSA");
            // both acceptable: the client's first preference decides
            assertThat(handshakeWith(port, version, "RSA-PSS+SHA256:ECDSA+SHA256")).as(version).containsPattern("Signature type: RSA");
            assertThat(handshakeWith(port, version, "ECDSA+SHA256:RSA-PSS+SHA256")).as(version).contains("Signature type: ECDSA");
        }
    }

    private String handshakeWith(int port, String version, String sigalgs) throws Exception {
        return handshake(port, "dual.example", version, "-sigalgs", sigalgs);
    }

    private String handshake(int port, String host, String... options) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(20), concat(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername",
                host, "-verify_hostname", host, "-CAfile", "ca.crt", "-brief"), options)).output();
    }

    /**
     * An RSA certificate's handshakes are signed by AWS-LC (crossgate.tls.rsa-offload, on by default), BoringSSL holding no
     * key: every signature scheme a client may ask for verifies, and so does TLS 1.2's RSA key exchange where a policy allows
     * it; switched off, BoringSSL signs again.
     */
    @Test
    void rsaHandshakesAreSignedByAwsLcInEverySchemeAClientMayAskFor() throws Exception {
        TestPki.write(dir.resolve("ca.crt"), ca.caPem());
        int port = Processes.freePort();
        Map<String, String> env = listenerWith("rsa", port);
        var rsa = ca.issue("rsa.example", KeyType.RSA_2048.generate(), dev.crossgate.tls.CertificateIssuer.Usage.SERVER, "rsa.example");
        TestPki.write(dir.resolve("rsa.crt"), PemWriter.certificates(rsa.certificate()));
        TestPki.write(dir.resolve("rsa.key"), PemWriter.pkcs8(rsa.keyPair().getPrivate()));
        GatewayEnv.fileSource(env, "rsa", dir.resolve("rsa.crt"), dir.resolve("rsa.key"), null);
        env.put("CROSSGATE_TLS_CIPHER_SUITES", "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256");
        gateway = GatewayProcess.start(dir, env).awaitReady();
        assertThat(gateway.logLines("RSA signatures of TLS handshakes by AWS-LC")).hasSize(1);
        Map<String, String> schemes = Map.of("-tls1_3 RSA-PSS+SHA256", "RSA-PSS", "-tls1_3 RSA-PSS+SHA384", "RSA-PSS",
                "-tls1_3 RSA-PSS+SHA512", "RSA-PSS", "-tls1_2 RSA+SHA256", "RSA", "-tls1_2 RSA+SHA384", "RSA",
                "-tls1_2 RSA+SHA512", "RSA", "-tls1_2 RSA-PSS+SHA256", "RSA-PSS");
        for (var scheme : schemes.entrySet()) {
            String[] versionAndSigalg = scheme.getKey().split(" ");
            String digest = versionAndSigalg[1].substring(versionAndSigalg[1].indexOf('+') + 1);
            assertThat(handshake(port, "rsa.example", versionAndSigalg[0], "-sigalgs", versionAndSigalg[1])).as(scheme.getKey())
                    .contains("Verification: OK").containsPattern("Signature type: " + scheme.getValue() + "\\b")
                    .contains("Hash used: " + digest);
        }
        // no signature here: the client's premaster secret, which only the private key decrypts
        assertThat(handshake(port, "rsa.example", "-tls1_2", "-cipher", "AES128-GCM-SHA256")).as("RSA key exchange")
                .contains("Verification: OK").contains("Ciphersuite: AES128-GCM-SHA256");
        gateway.awaitStatAtLeast("listener.web.ssl.handshake", schemes.size() + 1);
        assertThat(gateway.stat("tls.rsa_offload.operations")).as("one signature or decryption by AWS-LC a handshake")
                .isEqualTo(schemes.size() + 1);
        assertThat(gateway.stat("tls.rsa_offload.failures")).isZero();
        gateway.close();

        env.put("CROSSGATE_TLS_RSA_OFFLOAD", "false");
        gateway = GatewayProcess.start(dir, env).awaitReady();
        assertThat(handshake(port, "rsa.example", "-tls1_3")).contains("Verification: OK").contains("Signature type: RSA-PSS");
        gateway.awaitStatAtLeast("listener.web.ssl.handshake", 1);
        assertThat(gateway.stat("tls.rsa_offload.operations")).as("BoringSSL signed").isZero();
        assertThat(gateway.logLines("AWS-LC")).isEmpty();
    }

    @Test
    void resumedSessionsAreCounted() throws Exception {
        TestPki.write(dir.resolve("ca.crt"), ca.caPem());
        int port = Processes.freePort();
        Map<String, String> env = listenerWith("orders", port);
        fileSource(env, "orders", "orders.example");
        gateway = GatewayProcess.start(dir, env).awaitReady();
        List<String> sClient = List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "orders.example",
                "-CAfile", "ca.crt", "-tls1_2");
        Processes.run(dir, Duration.ofSeconds(20), concat(sClient, "-sess_out", "session.pem"));
        assertThat(Processes.run(dir, Duration.ofSeconds(20), concat(sClient, "-sess_in", "session.pem")).output()).contains("Reused, TLSv1.2");
        gateway.awaitStat("listener.web.ssl.handshake", 2);
        assertThat(gateway.stat("listener.web.ssl.session_reused")).isEqualTo(1);
    }

    private static List<String> concat(List<String> command, String... more) {
        List<String> all = new java.util.ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void listenerWithoutValidMaterialIsNotReadyAndRefusesHandshakes() throws Exception {
        int port = Processes.freePort();
        Map<String, String> env = listenerWith("broken", port);
        fileSource(env, "broken", "localhost");
        TestPki.write(dir.resolve("broken.key"), PemWriter.pkcs8(KeyType.EC_P256.generate().getPrivate())); // not the certificate's key
        gateway = GatewayProcess.start(dir, env).awaitAdmin();
        var readiness = gateway.admin("/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("listener web: no valid certificate from source(s) [broken]");
        assertThat(gateway.logLines("rejected=KEY_MISMATCH")).hasSize(1);

        assertThat(Processes.run(dir, "curl", "-sS", "-k", "--max-time", "10", "https://127.0.0.1:" + port + "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.web.ssl.failure.not_ready", 1);
        assertThat(gateway.logLines("reason=not_ready")).singleElement().asString().contains("has no valid certificate yet");

        // the right key arrives: ready, and serving
        var fixed = ca.server("localhost");
        TestPki.write(dir.resolve("broken.crt"), PemWriter.certificates(fixed.certificate()));
        TestPki.write(dir.resolve("broken.key"), PemWriter.pkcs8(fixed.keyPair().getPrivate()));
        gateway.awaitReady();
        assertThat(Processes.run(dir, "curl", "-sS", "-k", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                "https://127.0.0.1:" + port + "/").output()).isEqualTo("502");
    }

    private String peerName(int port, String serverName) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(20), List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", serverName,
                "-verify_hostname", serverName, "-CAfile", "ca.crt", "-brief")).output();
    }
}
