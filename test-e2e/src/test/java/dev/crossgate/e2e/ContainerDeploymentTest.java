package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.skywalking.apm.network.management.v3.InstancePingPkg;
import org.apache.skywalking.apm.network.management.v3.ManagementServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import dev.crossgate.gateway.Crossgate;
import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

/**
 * The image as users run it: two gateway containers (region A and region B) configured only by environment
 * variables, certificates mounted read-only, a read-only root filesystem with a tmpfs on /tmp, non-root, on rootful
 * podman through Testcontainers. The containers share the host's loopback (host network), where the backends run.
 */
class ContainerDeploymentTest {

    private static final String GATEWAY_A_ID = "spiffe://crossgate/region-a/gateway";

    @TempDir
    Path dir;

    private final TestPki edgeCa = TestPki.create("region-a-edge-ca");
    private final TestPki hopCa = TestPki.create("cross-region-ca");
    private TlsBackend backend;
    private SkyWalkingCollector collector;
    private GenericContainer<?> gatewayA;
    private GenericContainer<?> gatewayB;
    private int servicesPort;
    private int grpcPort;
    private Map<String, String> gatewayAEnv;

    @BeforeAll
    static void engine() throws Exception {
        ContainerHost.ready();
    }

    @BeforeEach
    void setUp() throws Exception {
        tls("a/listener", edgeCa, edgeCa.server("localhost", "127.0.0.1"));
        tls("a/connector", hopCa, hopCa.client("gateway-a", GATEWAY_A_ID));
        tls("b/listener", hopCa, hopCa.server("gateway-b.region-b.internal"));
        tls("b/connector", hopCa, hopCa.client("gateway-b", "spiffe://crossgate/region-b/gateway"));
        TestPki.write(dir.resolve("edge-ca.crt"), edgeCa.caPem());
        // the containers run as uid 10001, like the Deployment
        ContainerHost.run(Duration.ofSeconds(10), "chown", "-R", "10001:10001", dir.resolve("a").toString(), dir.resolve("b").toString());
        backend = new TlsBackend(hopCa.server("backend.region-b.internal"), hopCa.ca.certificate(), Duration.ofSeconds(3));
        collector = new SkyWalkingCollector();

        int bHttp = Processes.freePort();
        int bGrpc = Processes.freePort();
        Map<String, String> b = base("listener", "connector");
        GatewayEnv.tlsListener(b, "region-a-http", bHttp, "http", "listener", "services");
        b.put("CROSSGATE_LISTENERS_REGION_A_HTTP_TLS_CLIENT_AUTH", "require");
        b.put("CROSSGATE_LISTENERS_REGION_A_HTTP_TLS_ALLOWED_SANS", GATEWAY_A_ID);
        GatewayEnv.tlsListener(b, "region-a-grpc", bGrpc, "grpc", "listener", "oap");
        b.put("CROSSGATE_LISTENERS_REGION_A_GRPC_TLS_CLIENT_AUTH", "require");
        b.put("CROSSGATE_LISTENERS_REGION_A_GRPC_TLS_ALLOWED_SANS", GATEWAY_A_ID);
        GatewayEnv.mtlsConnector(b, "services", "127.0.0.1:" + backend.port(), "connector", "backend.region-b.internal");
        b.put("CROSSGATE_CONNECTORS_OAP_ADDRESS", "127.0.0.1:" + collector.port());
        b.put("CROSSGATE_CONNECTORS_OAP_TLS_MODE", "off");
        gatewayB = start(b, dir.resolve("b"));

        servicesPort = Processes.freePort();
        grpcPort = Processes.freePort();
        Map<String, String> a = base("listener", "connector");
        a.put("CROSSGATE_CERTS_LISTENER_POLL_INTERVAL", "1s");
        GatewayEnv.tlsListener(a, "services", servicesPort, "http", "listener", "region-b-http");
        GatewayEnv.tlsListener(a, "agents", grpcPort, "grpc", "listener", "region-b-grpc");
        GatewayEnv.mtlsConnector(a, "region-b-http", "127.0.0.1:" + bHttp, "connector", "gateway-b.region-b.internal");
        GatewayEnv.mtlsConnector(a, "region-b-grpc", "127.0.0.1:" + bGrpc, "connector", "gateway-b.region-b.internal");
        gatewayA = start(a, dir.resolve("a"));
        gatewayAEnv = a;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (GenericContainer<?> container : new GenericContainer<?>[] {gatewayA, gatewayB}) {
            if (container != null) {
                container.stop();
            }
        }
        backend.close();
        collector.close();
    }

    @Test
    void twoGatewayContainersCarryHttpAndGrpcWithMutualTlsBetweenThem() throws Exception {
        assertThat(curl("/orders").output()).endsWith("\n200").contains("path=/orders");

        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).overrideAuthority("localhost")
                .sslContext(GrpcSslContexts.forClient().trustManager(edgeCa.ca.certificate()).build()).build();
        try {
            ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .keepAlive(InstancePingPkg.newBuilder().setService("container-test").setServiceInstance("one").build());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(collector.pings).extracting(InstancePingPkg::getService).containsExactly("container-test");
        assertThat(gatewayA.getLogs()).contains("listener services on 127.0.0.1:" + servicesPort);
        for (GenericContainer<?> gateway : List.of(gatewayA, gatewayB)) {
            assertThat(gateway.getLogs()).as("the image's AWS-LC serves, its APR beside it (the base has none)")
                    .contains("TLS by AWS-LC 5.").doesNotContain("could not be loaded")
                    .as("the AppCDS archive baked into the image is used")
                    .contains("Picked up JDK_JAVA_OPTIONS: -Djava.library.path=/app/native -XX:SharedArchiveFile=/app/cds/crossgate.jsa")
                    .doesNotContain("[cds]");
        }
    }

    /**
     * The image serves with AWS-LC from /app/native; the jar's BoringSSL is one variable away, and asking for it while
     * the image's java.library.path still names AWS-LC is refused with both ways out, not served by AWS-LC unasked.
     */
    @Test
    void theJarsBoringSslServesOnceTheImagesLibraryPathIsTakenOffAndIsRefusedBefore() throws Exception {
        Processes.Result refused = Processes.run(dir, Duration.ofSeconds(60), List.of("podman", "run", "--rm", "--network", "host",
                "-e", "CROSSGATE_TLS_LIBRARY=boringssl", ContainerHost.IMAGE));
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
        assertThat(refused.output()).contains("java.library.path holds /app/native/libnetty_tcnative_linux_x86_64.so")
                .contains("JDK_JAVA_OPTIONS=-XX:SharedArchiveFile=/app/cds/crossgate.jsa");

        gatewayA.stop();
        Map<String, String> boringSsl = new HashMap<>(gatewayAEnv);
        boringSsl.put("CROSSGATE_TLS_LIBRARY", "boringssl");
        boringSsl.put("JDK_JAVA_OPTIONS", "-XX:SharedArchiveFile=/app/cds/crossgate.jsa");
        gatewayA = start(boringSsl, dir.resolve("a"));
        assertThat(curl("/orders").output()).endsWith("\n200");
        assertThat(gatewayA.getLogs()).contains("TLS by BoringSSL").doesNotContain("AWS-LC").doesNotContain("[cds]");
    }

    @Test
    void aCertificateRotatedByRewritingTheMountedFileFailsNoRequest() throws Exception {
        ClientLoad load = new ClientLoad(2, 3, 200, () -> curl("/load"));
        Thread.sleep(1000);
        CertificateIssuer.Issued next = edgeCa.server("localhost", "127.0.0.1");
        Path folder = dir.resolve("a/listener");
        TestPki.write(folder.resolve(".next.key"), PemWriter.pkcs8(next.keyPair().getPrivate()));
        TestPki.write(folder.resolve(".next.crt"), PemWriter.certificates(next.certificate()));
        ContainerHost.run(Duration.ofSeconds(10), "chown", "10001:10001", folder.resolve(".next.key").toString(), folder.resolve(".next.crt").toString());
        Files.move(folder.resolve(".next.key"), folder.resolve("tls.key"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(folder.resolve(".next.crt"), folder.resolve("tls.crt"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        new TlsProbe(dir, servicesPort, null).await(next.certificate().getSerialNumber().toString(16), Duration.ofSeconds(20));
        Thread.sleep(1000);
        ClientLoad.Outcome outcome = load.stop();
        assertThat(outcome.failed()).as("failed requests during the rotation").isZero();
        assertThat(outcome.ok()).isPositive();
    }

    @Test
    void sigtermMidLoadLetsTheRequestInFlightFinishAndExitsZero() throws Exception {
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            Future<Processes.Result> inFlight = client.submit(() -> curl("/slow"));
            Thread.sleep(1000); // the backend answers after 3 s
            var docker = gatewayA.getDockerClient();
            docker.stopContainerCmd(gatewayA.getContainerId()).withTimeout(30).exec();
            assertThat(inFlight.get(30, TimeUnit.SECONDS).output()).endsWith("\n200");
            var state = docker.inspectContainerCmd(gatewayA.getContainerId()).exec().getState();
            assertThat(state.getExitCodeLong()).as("exit code after SIGTERM").isZero();
            assertThat(gatewayA.getLogs()).contains("Crossgate stopped");
        } finally {
            client.shutdownNow();
        }
    }

    private GenericContainer<?> start(Map<String, String> env, Path tls) {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(ContainerHost.IMAGE))
                .withNetworkMode("host")
                .withEnv(env)
                .withFileSystemBind(tls.toString(), "/tls", BindMode.READ_ONLY)
                .withTmpFs(Map.of("/tmp", "rw,size=64m"))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .waitingFor(Wait.forLogMessage(".*admin on .*", 1))
                .withStartupTimeout(Duration.ofSeconds(90));
        container.start();
        awaitReady(Integer.parseInt(env.get("CROSSGATE_ADMIN_PORT")), container);
        return container;
    }

    private static void awaitReady(int adminPort, GenericContainer<?> container) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + adminPort + "/health/readiness")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                Thread.sleep(100);
            } catch (Exception e) {
                // not up yet
            }
        }
        throw new AssertionError("container not ready within 30s:\n" + container.getLogs());
    }

    private Map<String, String> base(String listenerSource, String connectorSource) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("CROSSGATE_ADMIN_HOST", "127.0.0.1");
        env.put("CROSSGATE_ADMIN_PORT", Integer.toString(Processes.freePort()));
        for (String source : List.of(listenerSource, connectorSource)) {
            String prefix = "CROSSGATE_CERTS_" + source.toUpperCase() + "_";
            env.put(prefix + "SOURCE", "file");
            env.put(prefix + "CERT_PATH", "/tls/" + source + "/tls.crt");
            env.put(prefix + "KEY_PATH", "/tls/" + source + "/tls.key");
            env.put(prefix + "CA_PATH", "/tls/" + source + "/ca.crt");
        }
        return env;
    }

    private void tls(String name, TestPki ca, CertificateIssuer.Issued issued) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        ca.writeFiles(issued, folder.resolve("tls.crt"), folder.resolve("tls.key"), folder.resolve("ca.crt"));
    }

    private Processes.Result curl(String path) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "--max-time", "20", "--cacert",
                dir.resolve("edge-ca.crt").toString(), "-w", "\n%{http_code}", "https://localhost:" + servicesPort + path));
    }
}
