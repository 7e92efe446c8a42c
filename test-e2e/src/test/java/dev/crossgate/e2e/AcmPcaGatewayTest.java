package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.certsource.acmpca.FaultProxy;
import dev.crossgate.certsource.acmpca.PrivateCa;
import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.SubjectAltName;
import dev.crossgate.tls.TestPki;

/**
 * The packaged gateway taking its server and client certificates from ACM Private CA (moto, through a
 * fault-injecting proxy), credentials from the AWS SDK's default chain (environment variables), and serving
 * curl and an HTTPS backend that trust only that CA: mutual TLS on both hops, renewal under load, AWS faults.
 */
class AcmPcaGatewayTest {

    private static PrivateCa ca;

    @TempDir
    Path dir;

    private FaultProxy proxy;
    private TlsBackend backend;
    private GatewayProcess gateway;
    private int port;

    @BeforeAll
    static void startEmulator() throws Exception {
        ca = PrivateCa.startEmulated(Path.of("target", "moto-gateway-test.log"), "Crossgate Region A Root");
    }

    @AfterAll
    static void stopEmulator() {
        if (ca != null) {
            ca.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        proxy = new FaultProxy(ca.endpoint());
        TestPki.write(dir.resolve("pca-ca.crt"), ca.certificatePem());
        CertificateIssuer.Issued agent = ca.issue("agent", List.of(SubjectAltName.uri("spiffe://crossgate.test/agent")));
        TestPki.write(dir.resolve("agent.crt"), PemWriter.certificates(agent.certificate()));
        TestPki.write(dir.resolve("agent.pem"), PemWriter.pkcs8(agent.keyPair().getPrivate()));
        backend = new TlsBackend(ca.issue("backend.internal", List.of(SubjectAltName.dns("backend.internal"))), ca.certificate(), Duration.ZERO);
        port = Processes.freePort();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
        proxy.close();
    }

    private Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        // credentials as the SDK's default chain finds them; nothing about AWS in Crossgate's own settings but where the CA is
        env.put("AWS_ACCESS_KEY_ID", PrivateCa.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", PrivateCa.SECRET_ACCESS_KEY);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("CROSSGATE_CERTS_PCA_SOURCE", "acm-pca");
        env.put("CROSSGATE_CERTS_PCA_CA_ARN", ca.arn());
        env.put("CROSSGATE_CERTS_PCA_ENDPOINT", proxy.endpoint().toString());
        env.put("CROSSGATE_CERTS_PCA_COMMON_NAME", "gateway-a");
        env.put("CROSSGATE_CERTS_PCA_DNS_NAMES", "localhost");
        env.put("CROSSGATE_CERTS_PCA_URI_NAMES", "spiffe://crossgate.test/gateway-a");
        env.put("CROSSGATE_CERTS_PCA_RETRY_INITIAL_DELAY", "200ms");
        env.put("CROSSGATE_CERTS_PCA_RETRY_MAX_DELAY", "500ms");
        GatewayEnv.tlsListener(env, "edge", port, "http", "pca", "backend");
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH", "require");
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_ALLOWED_SANS", "spiffe://crossgate.test/agent");
        GatewayEnv.mtlsConnector(env, "backend", "127.0.0.1:" + backend.port(), "pca", "backend.internal");
        env.putAll(extra);
        return env;
    }

    @Test
    void certificatesIssuedByThePrivateCaServeMutualTlsOnBothHops() throws Exception {
        gateway = GatewayProcess.start(dir, environment(Map.of())).awaitReady();

        Processes.Result response = curl("/orders");
        assertThat(response.output()).endsWith("\n200");
        String served = probe().serial();
        assertThat(response.output()).as("the backend saw the gateway's client certificate from ACM Private CA")
                .contains("backend saw client serial=" + served);
        String certs = gateway.admin("/certs").body();
        assertThat(certs).contains("\"source\": \"acm-pca\"", "\"serial\": \"" + served + "\"", "CN=Crossgate Region A Root",
                "URI:spiffe://crossgate.test/gateway-a", "\"fetch_failures\": 0");
        assertThat(gateway.stat("certs.pca.reloads")).isEqualTo(1);
        assertThat(gateway.log()).doesNotContain(PrivateCa.SECRET_ACCESS_KEY);
        // a client of another CA is turned away at the handshake
        TestPki other = TestPki.create("not-the-private-ca");
        CertificateIssuer.Issued stranger = other.client("stranger", "spiffe://crossgate.test/agent");
        TestPki.write(dir.resolve("stranger.crt"), PemWriter.certificates(stranger.certificate()));
        TestPki.write(dir.resolve("stranger.pem"), PemWriter.pkcs8(stranger.keyPair().getPrivate()));
        assertThat(curl("/", "stranger").exitCode()).isNotZero();
    }

    @Test
    void notReadyUntilTheFirstCertificateIsIssuedAndTheReadinessSaysWhy() throws Exception {
        proxy.failAlways("IssueCertificate", FaultProxy.Fault.accessDenied("IssueCertificate", ca.arn()));
        gateway = GatewayProcess.start(dir, environment(Map.of())).awaitAdmin();
        gateway.awaitStatAtLeast("certs.pca.fetch_failures", 2);

        var readiness = gateway.admin("/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("listener edge", "source pca has no certificate yet: ACCESS_DENIED",
                "acm-pca:IssueCertificate", ca.arn(), "IAM policy");
        assertThat(gateway.logLines("fetch_failed=ACCESS_DENIED")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(curl("/").exitCode()).as("no certificate, no handshake").isNotZero();

        proxy.clear();
        gateway.awaitReady();
        assertThat(curl("/").output()).endsWith("\n200");
    }

    @Test
    void renewalUnderLoadSwapsTheServedCertificateWithoutFailingARequest() throws Exception {
        gateway = GatewayProcess.start(dir, environment(Map.of("CROSSGATE_CERTS_PCA_RENEW_EVERY", "2s"))).awaitReady();
        ClientLoad load = new ClientLoad(3, 1, 500, () -> curl("/load"));
        Set<String> served = new LinkedHashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (served.size() < 3 && System.nanoTime() < deadline) {
            served.add(probe().serial());
            Thread.sleep(200);
        }
        ClientLoad.Outcome outcome = load.stop();
        assertThat(served).as("server certificates seen by fresh handshakes").hasSizeGreaterThanOrEqualTo(3);
        assertThat(outcome.failed()).as("failed requests during renewals").isZero();
        assertThat(outcome.ok()).isGreaterThanOrEqualTo(20);
        assertThat(Set.copyOf(backend.clientSerials)).as("client certificates the backend saw").hasSizeGreaterThanOrEqualTo(2);
        assertThat(gateway.stat("certs.pca.reloads")).isGreaterThanOrEqualTo(3);
        assertThat(gateway.stat("certs.pca.fetch_failures")).isZero();
    }

    @Test
    void awsFaultsDuringRenewalKeepTheServedCertificateAndAreNamed() throws Exception {
        gateway = GatewayProcess.start(dir, environment(Map.of("CROSSGATE_CERTS_PCA_RENEW_EVERY", "1s"))).awaitReady();
        record Injected(String action, FaultProxy.Fault fault, String reason, String named) {
        }
        List<Injected> faults = List.of(
                new Injected("GetCertificate", FaultProxy.Fault.accessDenied("GetCertificate", ca.arn()), "ACCESS_DENIED", "acm-pca:GetCertificate"),
                new Injected("IssueCertificate", FaultProxy.Fault.throttling(), "THROTTLED", "was throttled after the SDK's retries"),
                new Injected("GetCertificateAuthorityCertificate", FaultProxy.Fault.DROP, "UNREACHABLE", "cannot reach " + proxy.endpoint()));
        for (Injected injected : faults) {
            proxy.failAlways(injected.action(), injected.fault());
            gateway.awaitStatAtLeast("certs.pca.fetch_failures", gateway.stat("certs.pca.fetch_failures") + 2);
            String serial = probe().serial();
            long reloads = gateway.stat("certs.pca.reloads");
            gateway.awaitStatAtLeast("certs.pca.fetch_failures", gateway.stat("certs.pca.fetch_failures") + 2);

            assertThat(probe().serial()).as("still serving the last good certificate during %s", injected.reason()).isEqualTo(serial);
            assertThat(gateway.stat("certs.pca.reloads")).isEqualTo(reloads);
            assertThat(curl("/").output()).endsWith("\n200");
            assertThat(gateway.admin("/health/readiness").statusCode()).as("a year from expiry, failures do not make it unready").isEqualTo(200);
            String certs = gateway.admin("/certs").body();
            assertThat(certs).contains("\"last_fetch_failure\"", "\"reason\": \"" + injected.reason() + "\"", injected.named());
            assertThat(gateway.logLines("fetch_failed=" + injected.reason())).hasSizeGreaterThanOrEqualTo(2);

            proxy.clear();
            long renewed = gateway.stat("certs.pca.reloads");
            gateway.awaitStatAtLeast("certs.pca.reloads", renewed + 1);
        }
        assertThat(gateway.log()).doesNotContain(PrivateCa.SECRET_ACCESS_KEY);
    }

    @Test
    void readinessTurnsFalseWhenTheServedCertificateIsWithinItsMarginOfExpiry() throws Exception {
        // the emulator issues for 365 days whatever is asked, so a margin longer than that stands for "about to expire"
        gateway = GatewayProcess.start(dir, environment(Map.of("CROSSGATE_CERTS_PCA_READINESS_MARGIN", "400d"))).awaitAdmin();
        gateway.awaitStatAtLeast("certs.pca.reloads", 1);

        var readiness = gateway.admin("/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("source pca serves a certificate that expires at", "within its readiness-margin of 400d");
        assertThat(curl("/").output()).as("it still serves while it is valid").endsWith("\n200");
    }

    @Test
    void anUnreachableEndpointAtStartIsNamedInReadinessAndTheLog() throws Exception {
        int closed = dev.crossgate.tls.LoopbackPorts.free(); // nothing listens there
        gateway = GatewayProcess.start(dir, environment(Map.of("CROSSGATE_CERTS_PCA_ENDPOINT", "http://127.0.0.1:" + closed))).awaitAdmin();
        gateway.awaitStatAtLeast("certs.pca.fetch_failures", 1);

        assertThat(gateway.admin("/health/readiness").body()).contains("UNREACHABLE", "cannot reach http://127.0.0.1:" + closed,
                "crossgate.certs.pca.endpoint");
        assertThat(gateway.logLines("fetch_failed=UNREACHABLE")).isNotEmpty();
        assertThat(gateway.process.isAlive()).as("a CA out of reach is no reason to exit").isTrue();
    }

    private TlsProbe probe() {
        return new TlsProbe(dir, port, "agent");
    }

    private Processes.Result curl(String path) throws Exception {
        return curl(path, "agent");
    }

    private Processes.Result curl(String path, String client) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "--max-time", "20", "--cacert", dir.resolve("pca-ca.crt").toString(),
                "--cert", dir.resolve(client + ".crt").toString(), "--key", dir.resolve(client + ".pem").toString(),
                "-w", "\n%{http_code}", "https://localhost:" + port + path));
    }
}
