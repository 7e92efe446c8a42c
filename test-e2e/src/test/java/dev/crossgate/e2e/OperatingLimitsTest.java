package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits a gateway at a region's edge holds against floods, each refusing at once and counted under its own name. */
class OperatingLimitsTest {

    @TempDir
    Path dir;

    private GatewayProcess gateway;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void connectionsPastTheLimitAreClosedAtOnceAndCountedWhileTheAdmittedOnesKeepWorking() throws Exception {
        int backendPort = Processes.freePort();
        int httpPort = Processes.freePort();
        int tcpPort = Processes.freePort();
        try (EchoHttp backend = new EchoHttp(backendPort)) {
            Map<String, String> env = GatewayEnv.plainTcp("raw", tcpPort, "backend", backendPort);
            env.put("CROSSGATE_LISTENERS_RAW_MAX_CONNECTIONS", "2");
            env.putAll(GatewayEnv.plainHttp("web", httpPort, "backend", backendPort));
            env.put("CROSSGATE_LISTENERS_WEB_MAX_CONNECTIONS", "2");
            gateway = GatewayProcess.start(dir, env).awaitReady();

            for (int port : new int[] {httpPort, tcpPort}) {
                List<Socket> admitted = new ArrayList<>();
                try {
                    admitted.add(open(port));
                    admitted.add(open(port));
                    try (Socket third = open(port)) {
                        third.setSoTimeout(5000);
                        assertThat(third.getInputStream().read()).as("the connection past the limit is closed, port %d", port).isEqualTo(-1);
                    }
                    // the admitted ones still work
                    Socket first = admitted.get(0);
                    first.getOutputStream().write("GET /still-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
                    assertThat(new String(first.getInputStream().readAllBytes())).startsWith("HTTP/1.1 200");
                } finally {
                    for (Socket socket : admitted) {
                        socket.close();
                    }
                }
            }
            gateway.awaitStat("listener.web.connections_refused", 1);
            gateway.awaitStat("listener.raw.connections_refused", 1);
            assertThat(gateway.logLines("connections_refused")).hasSize(2);
            // once the admitted connections are gone, new ones are let in again
            gateway.awaitStat("listener.web.connections_open", 0);
            assertThat(Processes.ok(dir, "curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}", "http://127.0.0.1:" + httpPort + "/after")
                    .output()).endsWith("\n200");
        }
    }

    @Test
    void headersOverTheLimitAreRefusedWith431OnHttp11AndAStreamErrorOnHttp2AndCounted() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (EchoHttp backend = new EchoHttp(backendPort)) {
            Map<String, String> env = GatewayEnv.plainHttp("web", port, "backend", backendPort);
            env.put("CROSSGATE_LISTENERS_WEB_HTTP_MAX_HEADER_SIZE", "2KiB");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            String url = "http://127.0.0.1:" + port + "/";
            String big = "x-big: " + "a".repeat(4096);

            assertThat(curl("--http1.1", "-H", big, url).output()).endsWith("\n431");
            gateway.awaitStat("listener.web.http.431", 1);
            assertThat(curl("--http2-prior-knowledge", "-H", big, url).output()).as("no answer but a reset stream").doesNotEndWith("\n200");
            assertThat(curl("--http1.1", "-H", "x-small: ok", url).output()).endsWith("\n200");
            assertThat(curl("--http2-prior-knowledge", "-H", "x-small: ok", url).output()).endsWith("\n200");
            assertThat(gateway.process.isAlive()).isTrue();
        }
    }

    private Processes.Result curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        return Processes.run(dir, Duration.ofSeconds(20), command);
    }

    @Test
    void aClientThatOpensATlsConnectionAndSendsNothingHoldsItsSlotUntilTheHandshakeTimeoutClosesItAndIsCounted() throws Exception {
        dev.crossgate.tls.TestPki pki = dev.crossgate.tls.TestPki.create("limits-ca");
        pki.writeFiles(pki.server("localhost"), dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        int port = Processes.freePort();
        Map<String, String> env = new java.util.HashMap<>();
        GatewayEnv.fileSource(env, "edge", dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        GatewayEnv.tlsListener(env, "edge", port, "http", "edge", "backend");
        env.put("CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "127.0.0.1:" + Processes.freePort());
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_MODE", "off");
        env.put("CROSSGATE_LISTENERS_EDGE_MAX_CONNECTIONS", "1");
        gateway = GatewayProcess.start(dir, env).awaitReady();

        try (Socket silent = open(port)) {
            silent.setSoTimeout(30_000);
            long opened = System.nanoTime();
            // the silent client holds the one connection a TLS listener allows here: the next is closed at once
            try (Socket second = open(port)) {
                second.setSoTimeout(5000);
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            gateway.awaitStat("listener.edge.connections_refused", 1);
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(20));
        }
        gateway.awaitStat("listener.edge.ssl.failure.timeout", 1);
    }

    private static Socket open(int port) throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** A plain HTTP/1.1 backend answering 200 to anything, from the JDK's own server. */
    private static final class EchoHttp implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;

        EchoHttp(int port) throws Exception {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", port), 16);
            server.createContext("/", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    in.readAllBytes();
                }
                byte[] body = "ok\n".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

}
