package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.TestPki;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/** TCP listeners end to end: bulk bytes through TLS terminate and re-encrypt, and half-close through plaintext. */
class TcpDataPlaneTest {

    @TempDir
    Path dir;

    private final TestPki edgeCa = TestPki.create("tcp-edge-ca");
    private final TestPki backendCa = TestPki.create("tcp-backend-ca");
    private GatewayProcess gateway;
    private DisposableServer backend;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.disposeNow(Duration.ofSeconds(5));
        }
    }

    /** Starts a TLS echo backend requiring the gateway's client certificate, and a terminating TCP listener "raw" in front of it. */
    private int startTlsTcp(Map<String, String> extra) throws Exception {
        CertificateIssuer.Issued gatewayClient = backendCa.client("gateway-a");
        var backendIdentity = backendCa.server("echo.internal");
        var backendContext = SslContextBuilder.forServer(backendIdentity.keyPair().getPrivate(), backendIdentity.certificate())
                .trustManager(backendCa.ca.certificate()).clientAuth(ClientAuth.REQUIRE).build();
        backend = TcpServer.create().host("127.0.0.1").port(0).secure(spec -> spec.sslContext(backendContext))
                .handle((in, out) -> out.send(in.receive().retain())).bindNow(Duration.ofSeconds(10));

        Files.createDirectories(dir.resolve("l"));
        Files.createDirectories(dir.resolve("c"));
        edgeCa.writeFiles(edgeCa.server("localhost", "127.0.0.1"), dir.resolve("l/tls.crt"), dir.resolve("l/tls.key"), dir.resolve("l/ca.crt"));
        backendCa.writeFiles(gatewayClient, dir.resolve("c/tls.crt"), dir.resolve("c/tls.key"), dir.resolve("c/ca.crt"));
        int port = Processes.freePort();
        Map<String, String> env = new HashMap<>(extra);
        GatewayEnv.fileSource(env, "edge", dir.resolve("l/tls.crt"), dir.resolve("l/tls.key"), dir.resolve("l/ca.crt"));
        GatewayEnv.fileSource(env, "up", dir.resolve("c/tls.crt"), dir.resolve("c/tls.key"), dir.resolve("c/ca.crt"));
        env.put("CROSSGATE_LISTENERS_RAW_PROTOCOL", "tcp");
        env.put("CROSSGATE_LISTENERS_RAW_HOST", "127.0.0.1");
        env.put("CROSSGATE_LISTENERS_RAW_PORT", Integer.toString(port));
        env.put("CROSSGATE_LISTENERS_RAW_CONNECTOR", "echo");
        env.put("CROSSGATE_LISTENERS_RAW_TLS_CERTS", "edge");
        env.put("CROSSGATE_LISTENERS_RAW_TLS_CLIENT_AUTH", "require");
        env.put("CROSSGATE_CONNECTORS_ECHO_ADDRESS", "127.0.0.1:" + backend.port());
        env.put("CROSSGATE_CONNECTORS_ECHO_TLS_CERTS", "up");
        env.put("CROSSGATE_CONNECTORS_ECHO_TLS_TRUST", "up");
        env.put("CROSSGATE_CONNECTORS_ECHO_TLS_SERVER_NAME", "echo.internal");
        gateway = GatewayProcess.start(dir, env).awaitReady();
        return port;
    }

    @Test
    void bulkBytesThroughTerminateAndReencryptArriveIntact() throws Exception {
        int port = startTlsTcp(Map.of());
        byte[] payload = new byte[8 * 1024 * 1024];
        new SecureRandom().nextBytes(payload);
        SSLContext context = clientContext(edgeCa.client("agent", "agent.region-a"), edgeCa.ca.certificate());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int offset = 0; offset < payload.length; offset += 64 * 1024) {
                        out.write(payload, offset, Math.min(64 * 1024, payload.length - offset));
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] echoed = socket.getInputStream().readNBytes(payload.length);
            writer.get(30, TimeUnit.SECONDS);
            assertThat(echoed.length).isEqualTo(payload.length);
            assertThat(sha256(echoed)).isEqualTo(sha256(payload));
        }
        gateway.awaitStat("listener.raw.ssl.handshake", 1);
        assertThat(gateway.stat("connector.echo.ssl.handshake")).isEqualTo(1);
        assertThat(gateway.stat("listener.raw.tcp.connections")).isEqualTo(1);
    }

    @Test
    void tlsConnectionsFromBeforeARotationAreClosedAfterTheirAge() throws Exception {
        int port = startTlsTcp(Map.of("CROSSGATE_TLS_MAX_CONNECTION_AGE_AFTER_ROTATION", "1s"));
        SSLContext context = clientContext(edgeCa.client("agent", "agent.region-a"), edgeCa.ca.certificate());
        try (SSLSocket old = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            old.setSoTimeout(20_000);
            old.getOutputStream().write("before\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(old.getInputStream().readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("before\n");

            var next = edgeCa.server("localhost", "127.0.0.1");
            TestPki.write(dir.resolve("l/tls.key"), dev.crossgate.tls.PemWriter.pkcs8(next.keyPair().getPrivate()));
            TestPki.write(dir.resolve("l/tls.crt"), dev.crossgate.tls.PemWriter.certificates(next.certificate()));
            gateway.awaitStat("certs.edge.reloads", 2);

            int read;
            try {
                read = old.getInputStream().read();
            } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
                read = -1; // closed under us: the same verdict
            }
            assertThat(read).as("the old connection is closed once its age after the rotation is over").isEqualTo(-1);
            try (SSLSocket fresh = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
                fresh.startHandshake();
                var served = (X509Certificate) fresh.getSession().getPeerCertificates()[0];
                assertThat(served.getSerialNumber()).isEqualTo(next.certificate().getSerialNumber());
            }
        }
        assertThat(gateway.stat("listener.raw.ssl.connections_retired_after_rotation")).isEqualTo(1);
    }

    @Test
    void halfCloseReachesTheBackendAndItsAnswerComesBack() throws Exception {
        // a backend that answers only once the client has finished sending (EOF), like many request/response protocols;
        // plain java.net because Reactor Netty's TCP server cannot see a half-close
        java.net.ServerSocket counter = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread answering = new Thread(() -> {
            try (counter; Socket peer = counter.accept()) {
                peer.setSoTimeout(20_000);
                int total = peer.getInputStream().readAllBytes().length;
                peer.getOutputStream().write(("got " + total + " bytes\n").getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "half-close-backend");
        answering.setDaemon(true);
        answering.start();
        int port = Processes.freePort();
        gateway = GatewayProcess.start(dir, GatewayEnv.plainTcp("plain", port, "counter", counter.getLocalPort())).awaitReady();
        assertThat(gateway.logLines("accepts PLAINTEXT")).singleElement().asString().contains("listener plain");
        assertThat(gateway.stat("listener.plain.plaintext")).isEqualTo(1);

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(new byte[100_000]);
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).as("%s", gateway.log()).isEqualTo("got 100000 bytes\n");
        }
    }

    @Test
    void backendThatIsDownClosesTheClientAndIsCounted() throws Exception {
        int port = Processes.freePort();
        gateway = GatewayProcess.start(dir, GatewayEnv.plainTcp("plain", port, "gone", Processes.freePort())).awaitReady();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        gateway.awaitStat("listener.plain.tcp.upstream_failures", 1);
        assertThat(gateway.logLines("upstream_failed")).singleElement().asString().contains("connector=gone");
    }

    /** A client context trusting {@code ca}, presenting {@code client} when asked (null: no certificate). */
    static SSLContext clientContext(CertificateIssuer.Issued client, X509Certificate ca) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        if (client != null) {
            keys.setKeyEntry("client", client.keyPair().getPrivate(), new char[0], new X509Certificate[] {client.certificate()});
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
