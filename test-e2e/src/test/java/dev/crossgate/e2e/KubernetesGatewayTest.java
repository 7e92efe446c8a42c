package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.certsource.kubernetes.KubeApiServer;
import dev.crossgate.certsource.kubernetes.KubeCluster;
import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;

/**
 * The k8s/ manifests and the Kubernetes source against a real kube-apiserver with RBAC: the region-a overlay applied
 * as an operator would, then the packaged gateway run outside the cluster with the Deployment's own environment and
 * a kubeconfig holding a token of the overlay's ServiceAccount, so the overlay's Role is all it may use.
 */
class KubernetesGatewayTest {

    private static final String NAMESPACE = "crossgate";
    private static final String LISTENER_SECRET = "crossgate-listener-tls";
    private static final String CONNECTOR_SECRET = "crossgate-connector-tls";

    private static KubeApiServer api;
    private static KubeCluster cluster;
    private static Path repository;
    private static Path kubeconfig;

    @TempDir
    Path dir;

    private final TestPki edgeCa = TestPki.create("region-a-edge-ca");
    private final TestPki backendCa = TestPki.create("region-b-ca");
    private TlsBackend backend;
    private GatewayProcess gateway;
    private int servicesPort;

    @BeforeAll
    static void startApiServerAndApplyRegionA() throws Exception {
        repository = Path.of("..").toAbsolutePath().normalize();
        api = KubeApiServer.start(Path.of("target", "kube-api-gateway-test"));
        cluster = new KubeCluster(api);
        assertThat(api.kubectl("apply", "-k", repository.resolve("k8s/overlays/region-a").toString()))
                .contains("role.rbac.authorization.k8s.io/crossgate-secrets created", "deployment.apps/crossgate created");
        kubeconfig = cluster.kubeconfigOf(NAMESPACE, "crossgate");
    }

    @AfterAll
    static void stopApiServer() {
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        TestPki.write(dir.resolve("edge-ca.crt"), edgeCa.caPem());
        // the connector's Secret made the way the README shows: kubectl create secret tls, then its ca.crt patched in
        CertificateIssuer.Issued gatewayClient = backendCa.client("gateway-a", "spiffe://crossgate/region-a/gateway");
        TestPki.write(dir.resolve("client.crt"), PemWriter.certificates(gatewayClient.certificate()));
        TestPki.write(dir.resolve("client.pem"), PemWriter.pkcs8(gatewayClient.keyPair().getPrivate()));
        api.kubectl("-n", NAMESPACE, "delete", "secret", CONNECTOR_SECRET, "--ignore-not-found");
        api.kubectl("-n", NAMESPACE, "create", "secret", "tls", CONNECTOR_SECRET, "--cert=" + dir.resolve("client.crt"),
                "--key=" + dir.resolve("client.pem"));
        api.kubectl("-n", NAMESPACE, "patch", "secret", CONNECTOR_SECRET, "-p",
                "{\"data\":{\"ca.crt\":\"" + KubeCluster.base64(backendCa.caPem()) + "\"}}");
        cluster.tlsSecret(NAMESPACE, LISTENER_SECRET, edgeCa.server("localhost"), edgeCa.caPem());
        backend = new TlsBackend(backendCa.server("gateway-b.region-b.internal"), backendCa.ca.certificate(), Duration.ZERO);
        servicesPort = Processes.freePort();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    @Test
    void bothOverlaysPassTheApiServersDryRun() throws Exception {
        for (String overlay : List.of("region-a", "region-b")) {
            String output = api.kubectl("apply", "--dry-run=server", "-k", repository.resolve("k8s/overlays/" + overlay).toString());
            assertThat(output).contains("deployment.apps/crossgate", "horizontalpodautoscaler.autoscaling/crossgate",
                    "poddisruptionbudget.policy/crossgate", "networkpolicy.networking.k8s.io/crossgate", "(server dry run)");
        }
    }

    @Test
    void theDeploymentsEnvironmentServesTheSecretsAndFollowsThemThroughRotationDeletionAndAnApiServerRestart() throws Exception {
        gateway = GatewayProcess.start(dir, deploymentEnvironment()).awaitReady();
        assertThat(curl("/first").output()).endsWith("\n200");
        assertThat(backend.clientSerials).as("the connector's client certificate comes from its Secret")
                .contains(serialOf(CONNECTOR_SECRET));
        assertThat(probe().serial()).isEqualTo(serialOf(LISTENER_SECRET));

        // rotation under load: every update is served on new handshakes, no request fails
        ClientLoad load = new ClientLoad(3, 5, 400, () -> curl("/load"));
        for (int round = 0; round < 3; round++) {
            Thread.sleep(300);
            CertificateIssuer.Issued next = edgeCa.server("localhost");
            cluster.tlsSecret(NAMESPACE, LISTENER_SECRET, next, edgeCa.caPem());
            probe().await(serial(next), Duration.ofSeconds(15));
        }
        ClientLoad.Outcome outcome = load.stop();
        assertThat(outcome.failed()).as("failed requests during rotation").isZero();
        assertThat(outcome.ok()).isGreaterThanOrEqualTo(15);

        // deletion: the last good certificate keeps serving, the deletion is counted and logged
        String kept = probe().serial();
        long failures = gateway.stat("certs.listener.fetch_failures");
        cluster.deleteSecret(NAMESPACE, LISTENER_SECRET);
        gateway.awaitStatAtLeast("certs.listener.fetch_failures", failures + 1);
        assertThat(gateway.admin("/certs").body()).contains("\"reason\": \"SECRET_DELETED\"");
        assertThat(gateway.logLines("fetch_failed=SECRET_DELETED")).hasSize(1);
        assertThat(probe().serial()).isEqualTo(kept);
        assertThat(curl("/after-delete").output()).endsWith("\n200");

        // an API-server restart: the watch resumes and sees the Secret created again
        api.restart();
        CertificateIssuer.Issued recreated = edgeCa.server("localhost");
        cluster.tlsSecret(NAMESPACE, LISTENER_SECRET, recreated, edgeCa.caPem());
        probe().await(serial(recreated), Duration.ofSeconds(15));
        assertThat(curl("/after-restart").output()).endsWith("\n200");
        assertThat(gateway.log()).doesNotContain("BEGIN PRIVATE KEY");
    }

    @Test
    void aSecretTheRoleDoesNotGrantKeepsTheGatewayUnreadyAndNamesTheMissingGrant() throws Exception {
        Map<String, String> env = deploymentEnvironment();
        env.put("CROSSGATE_CERTS_LISTENER_SECRET_NAME", "crossgate-other-tls");
        gateway = GatewayProcess.start(dir, env).awaitAdmin();
        gateway.awaitStatAtLeast("certs.listener.fetch_failures", 2);

        var readiness = gateway.admin("/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("FORBIDDEN", "refused to list secret crossgate/crossgate-other-tls",
                "system:serviceaccount:crossgate:crossgate", "resourceNames [crossgate-other-tls]");
        assertThat(gateway.process.isAlive()).as("retried, never a crash loop").isTrue();
    }

    /**
     * The Deployment's environment as the API server stored it, with what differs outside a cluster: loopback
     * addresses and free ports instead of the Service's, the backends here, and the kubeconfig for the pod's token.
     */
    private Map<String, String> deploymentEnvironment() throws Exception {
        String lines = api.kubectl("-n", NAMESPACE, "get", "deployment", "crossgate", "-o",
                "jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}={.value}{\"\\n\"}{end}");
        Map<String, String> env = new HashMap<>();
        for (String line : lines.split("\n")) {
            if (line.contains("=")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        assertThat(env).containsEntry("CROSSGATE_CERTS_LISTENER_SOURCE", "kubernetes").containsKey("CROSSGATE_LISTENERS_SERVICES_PORT");
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("CROSSGATE_ADMIN_HOST", "127.0.0.1");
        env.put("CROSSGATE_ADMIN_PORT", Integer.toString(Processes.freePort()));
        env.put("CROSSGATE_LISTENERS_AGENTS_HOST", "127.0.0.1");
        env.put("CROSSGATE_LISTENERS_AGENTS_PORT", Integer.toString(Processes.freePort()));
        env.put("CROSSGATE_LISTENERS_SERVICES_HOST", "127.0.0.1");
        env.put("CROSSGATE_LISTENERS_SERVICES_PORT", Integer.toString(servicesPort));
        env.put("CROSSGATE_CONNECTORS_REGION_B_HTTP_ADDRESS", "127.0.0.1:" + backend.port());
        env.put("CROSSGATE_CONNECTORS_REGION_B_GRPC_ADDRESS", "127.0.0.1:" + Processes.freePort());
        return env;
    }

    /** The serial of the certificate in a Secret's tls.crt, as the API server holds it now. */
    private String serialOf(String secret) throws Exception {
        byte[] pem = java.util.Base64.getDecoder().decode(cluster.admin().secrets().inNamespace(NAMESPACE).withName(secret).get().getData().get("tls.crt"));
        return dev.crossgate.tls.MaterialReader.readCertificates(pem, secret).get(0).getSerialNumber().toString(16);
    }

    private static String serial(CertificateIssuer.Issued issued) {
        return issued.certificate().getSerialNumber().toString(16);
    }

    private TlsProbe probe() {
        return new TlsProbe(dir, servicesPort, null);
    }

    private Processes.Result curl(String path) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "--max-time", "20", "--cacert",
                dir.resolve("edge-ca.crt").toString(), "-w", "\n%{http_code}", "https://localhost:" + servicesPort + path));
    }

}
