package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.skywalking.apm.network.language.agent.v3.JVMMetric;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.certsource.kubernetes.TcpCut;
import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;

/**
 * The first seed's topology with real parts: the SkyWalking Java agent reports over mTLS to gateway A, gateway A
 * over mTLS across "regions" to gateway B, which admits only gateway A's identity, and gateway B to a collector
 * built from SkyWalking's stubs. The cross-region hop runs through a cutter that loses the network on demand.
 */
class SkyWalkingAcrossRegionsTest {

    private static final String GATEWAY_A_ID = "spiffe://crossgate/region-a/gateway";

    @TempDir
    Path dir;

    private final TestPki edgeCa = TestPki.create("region-a-agents-ca");
    private final TestPki hopCa = TestPki.create("cross-region-ca");
    private SkyWalkingCollector collector;
    private GatewayProcess gatewayB;
    private GatewayProcess gatewayA;
    private TcpCut hop;
    private JavaAgent agent;
    private TlsBackend backend;
    private int agentsPort;
    private int servicesPort;
    private int httpHopPort;

    @BeforeEach
    void setUp() throws Exception {
        write(edgeCa, edgeCa.server("localhost", "127.0.0.1"), "a-listener");
        write(hopCa, hopCa.client("gateway-a", GATEWAY_A_ID), "a-connector");
        write(hopCa, hopCa.server("gateway-b.region-b.internal"), "b-listener");
        Path agentDir = Files.createDirectories(dir.resolve("agent"));
        CertificateIssuer.Issued agentIdentity = edgeCa.client("region-a-app", "spiffe://crossgate/region-a/app");
        TestPki.write(agentDir.resolve("ca.crt"), edgeCa.caPem());
        TestPki.write(agentDir.resolve("client.crt"), PemWriter.certificates(agentIdentity.certificate()));
        TestPki.write(agentDir.resolve("client.pem"), PemWriter.pkcs8(agentIdentity.keyPair().getPrivate()));

        collector = new SkyWalkingCollector();
        write(hopCa, hopCa.client("gateway-b", "spiffe://crossgate/region-b/gateway"), "b-connector");
        backend = new TlsBackend(hopCa.server("backend.region-b.internal"), hopCa.ca.certificate(), Duration.ZERO);
        Map<String, String> b = new HashMap<>();
        GatewayEnv.fileSource(b, "listener", dir.resolve("b-listener/tls.crt"), dir.resolve("b-listener/tls.key"), dir.resolve("b-listener/ca.crt"));
        GatewayEnv.tlsListener(b, "region-a", Processes.freePort(), "grpc", "listener", "oap");
        b.put("CROSSGATE_LISTENERS_REGION_A_TLS_CLIENT_AUTH", "require");
        b.put("CROSSGATE_LISTENERS_REGION_A_TLS_ALLOWED_SANS", GATEWAY_A_ID);
        b.put("CROSSGATE_CONNECTORS_OAP_ADDRESS", "127.0.0.1:" + collector.port());
        b.put("CROSSGATE_CONNECTORS_OAP_TLS_MODE", "off");
        // HTTP takes the same pair: B admits only A, and re-encrypts to a backend that wants B's client certificate
        GatewayEnv.fileSource(b, "connector", dir.resolve("b-connector/tls.crt"), dir.resolve("b-connector/tls.key"), dir.resolve("b-connector/ca.crt"));
        GatewayEnv.tlsListener(b, "region-a-http", Processes.freePort(), "http", "listener", "services");
        b.put("CROSSGATE_LISTENERS_REGION_A_HTTP_TLS_CLIENT_AUTH", "require");
        b.put("CROSSGATE_LISTENERS_REGION_A_HTTP_TLS_ALLOWED_SANS", GATEWAY_A_ID);
        GatewayEnv.mtlsConnector(b, "services", "127.0.0.1:" + backend.port(), "connector", "backend.region-b.internal");
        Files.createDirectories(dir.resolve("b"));
        gatewayB = GatewayProcess.start(Files.createDirectories(dir.resolve("b")), b).awaitReady();
        hop = new TcpCut(Integer.parseInt(b.get("CROSSGATE_LISTENERS_REGION_A_PORT")));
        httpHopPort = Integer.parseInt(b.get("CROSSGATE_LISTENERS_REGION_A_HTTP_PORT"));
        agentsPort = Processes.freePort();
        servicesPort = Processes.freePort();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {agent, gatewayA, gatewayB, hop, collector, backend}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private Map<String, String> gatewayA(Map<String, String> storeAndForward) {
        Map<String, String> a = new HashMap<>();
        GatewayEnv.fileSource(a, "listener", dir.resolve("a-listener/tls.crt"), dir.resolve("a-listener/tls.key"), dir.resolve("a-listener/ca.crt"));
        GatewayEnv.fileSource(a, "connector", dir.resolve("a-connector/tls.crt"), dir.resolve("a-connector/tls.key"), dir.resolve("a-connector/ca.crt"));
        GatewayEnv.tlsListener(a, "agents", agentsPort, "grpc", "listener", "region-b");
        a.put("CROSSGATE_LISTENERS_AGENTS_TLS_CLIENT_AUTH", "require");
        GatewayEnv.mtlsConnector(a, "region-b", "127.0.0.1:" + hop.port(), "connector", "gateway-b.region-b.internal");
        GatewayEnv.tlsListener(a, "services", servicesPort, "http", "listener", "region-b-http");
        GatewayEnv.mtlsConnector(a, "region-b-http", "127.0.0.1:" + httpHopPort, "connector", "gateway-b.region-b.internal");
        a.putAll(storeAndForward);
        return a;
    }

    @Test
    void aThirtySecondCutOfTheCrossRegionHopLosesNoReportAndTheAgentSeesNoError() throws Exception {
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")),
                gatewayA(Map.of("CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MODE", "memory"))).awaitReady();
        agent = new JavaAgent(dir.resolve("agent"), "region-a-app", "127.0.0.1:" + agentsPort);
        await(() -> jvmSeconds().size() >= 3, Duration.ofSeconds(60), "JVM metrics through both gateways");
        assertThat(collector.jvmMetrics).extracting(m -> m.getService()).contains("region-a-app");

        hop.cut();
        long cutAt = System.currentTimeMillis();
        Thread.sleep(30_000);
        assertThat(gatewayA.stat("listener.agents.store_and_forward.waiting")).as("reports held while the hop is down").isPositive();
        assertThat(gatewayA.stat("listener.agents.store_and_forward.forward_failures")).isPositive();
        hop.restore();
        long restoredAt = System.currentTimeMillis();
        await(() -> stat(gatewayA, "listener.agents.store_and_forward.waiting") == 0, Duration.ofSeconds(60), "the backlog replayed");
        Thread.sleep(3000);

        List<Long> seconds = jvmSeconds();
        assertThat(seconds).as("JVM metrics from during the cut").anyMatch(t -> t > cutAt + 2000 && t < restoredAt - 2000);
        assertNoGap(seconds, cutAt - 5000, restoredAt + 2000);
        // questions only OAP can answer (configuration discovery, profiling task polls) are proxied and fail while the hop
        // is down; every report the agent sent was taken, so none of its sends failed
        assertThat(agent.errors()).as("the agent's ERROR lines other than failed questions to OAP")
                .filteredOn(line -> !line.contains("ConfigurationDiscoveryService") && !line.contains("ProfileTask")).isEmpty();
        assertThat(gatewayA.stat("listener.agents.store_and_forward.dropped")).isZero();
        // the per-service counters counted the stream on both gateways; the agent sends about one message a second but may
        // fold seconds together while a send is slow (29 in one CI run of 33+ s), so the bound is loose: no loss is what
        // assertNoGap shows above
        assertThat(gatewayA.stat("listener.agents.skywalking.JVMMetricReportService.messages")).isGreaterThanOrEqualTo(20);
        assertThat(gatewayB.stat("listener.region-a.skywalking.JVMMetricReportService.messages")).isGreaterThanOrEqualTo(20);
    }

    @Test
    void withTheDiskSpoolARestartOfGatewayAWhileTheHopIsDownLosesNoReport() throws Exception {
        Map<String, String> env = gatewayA(Map.of("CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MODE", "disk",
                "CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_SPOOL_DIR", dir.resolve("spool").toString()));
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), env).awaitReady();
        agent = new JavaAgent(dir.resolve("agent"), "region-a-app", "127.0.0.1:" + agentsPort);
        await(() -> jvmSeconds().size() >= 3, Duration.ofSeconds(60), "JVM metrics through both gateways");

        hop.cut();
        long cutAt = System.currentTimeMillis();
        Thread.sleep(10_000);
        long heldBeforeRestart = gatewayA.stat("listener.agents.store_and_forward.waiting");
        assertThat(heldBeforeRestart).isPositive();
        long stoppedAt = System.currentTimeMillis();
        assertThat(gatewayA.stop()).as("SIGTERM exits cleanly").isZero();
        gatewayA.close();
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a2")), env).awaitReady();
        long backAt = System.currentTimeMillis();
        assertThat(gatewayA.logLines("replaying")).as("the spool read back at start").hasSize(1);
        Thread.sleep(5_000);
        hop.restore();
        long restoredAt = System.currentTimeMillis();
        await(() -> stat(gatewayA, "listener.agents.store_and_forward.waiting") == 0, Duration.ofSeconds(60), "the backlog replayed");
        Thread.sleep(3000);

        // everything gateway A took before it stopped arrives, and everything after it is back; while no gateway A
        // listens at all, what the agent fails to send is the agent's (the Java agent drops a JVM metrics batch it cannot send)
        assertNoGap(jvmSeconds(), cutAt - 5000, stoppedAt - 1000);
        assertNoGap(jvmSeconds(), backAt + 2000, restoredAt + 2000);
        assertThat(gatewayA.stat("listener.agents.store_and_forward.delivered")).as("delivered after the restart, from the spool and since")
                .isGreaterThanOrEqualTo(heldBeforeRestart);
    }

    @Test
    void anAgentWithTlsOnlyReportsThroughAListenerThatMakesClientCertificatesOptional() throws Exception {
        Map<String, String> env = gatewayA(Map.of("CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MODE", "memory"));
        env.put("CROSSGATE_LISTENERS_AGENTS_TLS_CLIENT_AUTH", "optional");
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), env).awaitReady();
        Files.delete(dir.resolve("agent/client.crt"));
        Files.delete(dir.resolve("agent/client.pem"));
        agent = new JavaAgent(dir.resolve("agent"), "tls-only-app", "127.0.0.1:" + agentsPort, false);

        await(() -> jvmSeconds().size() >= 3, Duration.ofSeconds(60), "JVM metrics from an agent with only ca.crt");
        assertThat(collector.jvmMetrics).extracting(m -> m.getService()).contains("tls-only-app");
        assertThat(gatewayA.stat("listener.agents.ssl.no_certificate")).isPositive();
    }

    @Test
    void theGoAgentsInsecureSkipVerifyModeReportsEvenWithACaThatDoesNotSignGatewayA() throws Exception {
        Map<String, String> env = gatewayA(Map.of());
        env.put("CROSSGATE_LISTENERS_AGENTS_TLS_CLIENT_AUTH", "optional");
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), env).awaitReady();
        Path strangerCa = dir.resolve("agent/stranger-ca.crt");
        TestPki.write(strangerCa, TestPki.create("some-other-ca").caPem());
        Map<String, String> agent = new HashMap<>(Map.of("SW_AGENT_REPORTER_GRPC_BACKEND_SERVICE", "localhost:" + agentsPort,
                "SW_AGENT_REPORTER_GRPC_TLS_ENABLE", "true", "SW_AGENT_REPORTER_GRPC_TLS_CA_PATH", strangerCa.toString()));

        GoReporter.Run verifying = GoReporter.report("go-verifying", 3, agent);
        assertThat(verifying.exitCode()).as("without insecure_skip_verify the wrong CA fails the handshake: %s", verifying.output())
                .isNotZero();
        assertThat(verifying.output()).contains("certificate signed by unknown authority");

        agent.put("SW_AGENT_REPORTER_GRPC_TLS_INSECURE_SKIP_VERIFY", "true");
        GoReporter.Run skipping = GoReporter.report("go-skip-verify", 5, agent);
        assertThat(skipping.exitCode()).as(skipping.output()).isZero();
        assertThat(skipping.segmentIds()).hasSize(5);
        await(() -> segmentIds().containsAll(skipping.segmentIds()), Duration.ofSeconds(30), "the Go reporter's segments at the collector");
    }

    @Test
    void theGoAgentsMutualTlsWithAPkcs1RsaKeyReportsThroughGatewayA() throws Exception {
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), gatewayA(Map.of())).awaitReady();
        CertificateIssuer.Issued identity = edgeCa.issue("region-a-go-app", dev.crossgate.tls.KeyType.RSA_2048.generate(),
                CertificateIssuer.Usage.CLIENT, "spiffe://crossgate/region-a/go-app");
        Path key = dir.resolve("agent/go-client.pem");
        TestPki.write(key, PemWriter.traditional(identity.keyPair().getPrivate()));
        TestPki.write(dir.resolve("agent/go-client.crt"), PemWriter.certificates(identity.certificate()));
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Map<String, String> agent = Map.of("SW_AGENT_REPORTER_GRPC_BACKEND_SERVICE", "localhost:" + agentsPort,
                "SW_AGENT_REPORTER_GRPC_TLS_ENABLE", "true", "SW_AGENT_REPORTER_GRPC_TLS_CA_PATH", dir.resolve("agent/ca.crt").toString(),
                "SW_AGENT_REPORTER_GRPC_TLS_CLIENT_KEY_PATH", key.toString(),
                "SW_AGENT_REPORTER_GRPC_TLS_CLIENT_CERT_CHAIN_PATH", dir.resolve("agent/go-client.crt").toString());

        GoReporter.Run run = GoReporter.report("go-pkcs1", 5, agent);

        assertThat(run.exitCode()).as(run.output()).isZero();
        await(() -> segmentIds().containsAll(run.segmentIds()), Duration.ofSeconds(30), "the PKCS#1 reporter's segments at the collector");
        assertThat(run.segmentIds()).hasSize(5);
        assertThat(collector.segments).filteredOn(segment -> segment.getService().equals("go-pkcs1")).hasSize(5);
    }

    private List<String> segmentIds() {
        return collector.segments.stream().map(segment -> segment.getTraceSegmentId()).toList();
    }

    @Test
    void httpTakesTheSamePairWithMutualTlsBetweenTheGateways() throws Exception {
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), gatewayA(Map.of())).awaitReady();
        TestPki.write(dir.resolve("edge-ca.crt"), edgeCa.caPem());

        Processes.Result response = Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "--max-time", "20", "--cacert",
                dir.resolve("edge-ca.crt").toString(), "-w", "\n%{http_code}", "https://localhost:" + servicesPort + "/orders"));
        assertThat(response.output()).endsWith("\n200").contains("path=/orders");
        assertThat(backend.clientSerials).as("the backend saw gateway B's client certificate")
                .containsExactly(readSerial(dir.resolve("b-connector/tls.crt")));
        assertThat(gatewayB.stat("listener.region-a-http.ssl.handshake")).isPositive();
        // the hop admits gateway A's identity only: the agents' client certificate is refused there
        Processes.Result stranger = Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "--max-time", "20", "--cacert",
                dir.resolve("b-listener/ca.crt").toString(), "--cert", dir.resolve("agent/client.crt").toString(), "--key",
                dir.resolve("agent/client.pem").toString(), "--resolve", "gateway-b.region-b.internal:" + httpHopPort + ":127.0.0.1",
                "https://gateway-b.region-b.internal:" + httpHopPort + "/"));
        assertThat(stranger.exitCode()).isNotZero();
    }

    @Test
    void theNodeAgentsTraceSegmentsArriveAsSentThroughTheCutAndTheirIdsMatch() throws Exception {
        Map<String, String> env = gatewayA(Map.of("CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MODE", "memory"));
        env.put("CROSSGATE_LISTENERS_AGENTS_TLS_CLIENT_AUTH", "optional"); // the Node agent presents no client certificate
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), env).awaitReady();
        try (NodeAgent node = new NodeAgent(dir.resolve("node"), "region-a-node", "localhost:" + agentsPort, dir.resolve("agent/ca.crt"))) {
            List<String> sent = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                if (round == 1) {
                    hop.cut();
                }
                for (int i = 0; i < 10; i++) {
                    String answer = Processes.run(dir, Duration.ofSeconds(20), List.of("curl", "-sS", "--max-time", "10",
                            "http://127.0.0.1:" + node.port + "/orders/" + round + "-" + i)).output();
                    sent.add(answer.replaceAll(".*\"segmentId\":\"([^\"]+)\".*", "$1"));
                }
                Thread.sleep(2000);
                if (round == 1) {
                    assertThat(gatewayA.stat("listener.agents.store_and_forward.waiting")).as("segments held during the cut").isPositive();
                    hop.restore();
                }
            }
            await(() -> collector.segments.size() >= sent.size(), Duration.ofSeconds(60), "every segment at the collector");
            Thread.sleep(1000);
            assertThat(collector.segments).extracting(segment -> segment.getTraceSegmentId()).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(collector.segments).extracting(segment -> segment.getService()).containsOnly("region-a-node");
            assertThat(node.errors()).as("the Node agent's error lines").isEmpty();
            assertThat(gatewayA.stat("listener.agents.skywalking.TraceSegmentReportService.messages")).isEqualTo(sent.size());
        }
    }

    private static String readSerial(Path cert) throws Exception {
        return dev.crossgate.tls.MaterialReader.readCertificates(Files.readAllBytes(cert), cert.toString()).get(0).getSerialNumber().toString(16);
    }

    @Test
    void overTheBoundEveryDropIsCountedAndEverythingElseArrives() throws Exception {
        gatewayA = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), gatewayA(Map.of(
                "CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MODE", "memory",
                "CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MAX_BYTES", "4KiB"))).awaitReady();
        agent = new JavaAgent(dir.resolve("agent"), "region-a-app", "127.0.0.1:" + agentsPort);
        await(() -> jvmSeconds().size() >= 3, Duration.ofSeconds(60), "JVM metrics through both gateways");

        hop.cut();
        await(() -> stat(gatewayA, "listener.agents.store_and_forward.dropped") >= 3, Duration.ofSeconds(60), "drops past 4 KiB");
        assertThat(gatewayA.logLines("store_and_forward dropped")).isNotEmpty();
        hop.restore();
        await(() -> stat(gatewayA, "listener.agents.store_and_forward.waiting") == 0, Duration.ofSeconds(60), "the rest replayed");
        agent.close(); // a still stream, so the counts can be compared
        agent = null;
        Thread.sleep(2000);
        await(() -> stat(gatewayA, "listener.agents.store_and_forward.waiting") == 0, Duration.ofSeconds(30), "the last reports delivered");

        long accepted = gatewayA.stat("listener.agents.store_and_forward.accepted");
        long dropped = gatewayA.stat("listener.agents.store_and_forward.dropped");
        long delivered = gatewayA.stat("listener.agents.store_and_forward.delivered");
        assertThat(dropped).isPositive();
        assertThat(delivered + dropped).as("every report taken is delivered or counted as dropped").isEqualTo(accepted);
        // delivery is at least once: a call cut after the far side took it but before its answer came back is sent
        // again, so the collector may hold one batch twice (here unary reports: one message), never less than delivered
        assertThat(collector.reports() - delivered).as("the collector's reports beyond those delivered").isBetween(0L, 1L);
    }

    /** Every JVM metric sample's time (ms), in order. */
    private List<Long> jvmSeconds() {
        List<Long> times = new ArrayList<>();
        collector.jvmMetrics.forEach(collection -> collection.getMetricsList().stream().map(JVMMetric::getTime).forEach(times::add));
        times.sort(Long::compare);
        return times;
    }

    /** The agent samples every second; no hole longer than a few seconds means nothing sent was lost. */
    private static void assertNoGap(List<Long> times, long from, long to) {
        List<Long> window = times.stream().filter(t -> t >= from && t <= to).toList();
        assertThat(window).as("samples in the window").hasSizeGreaterThanOrEqualTo((int) ((to - from) / 1000) - 3);
        for (int i = 1; i < window.size(); i++) {
            assertThat(window.get(i) - window.get(i - 1)).as("gap before sample %d of %d", i, window.size()).isLessThan(3000);
        }
    }

    private static long stat(GatewayProcess gateway, String name) {
        try {
            return gateway.stat(name);
        } catch (Exception e) {
            return -1;
        }
    }

    private void write(TestPki ca, CertificateIssuer.Issued issued, String name) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        ca.writeFiles(issued, folder.resolve("tls.crt"), folder.resolve("tls.key"), folder.resolve("ca.crt"));
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout + " for " + what);
            }
            Thread.sleep(100);
        }
    }
}
