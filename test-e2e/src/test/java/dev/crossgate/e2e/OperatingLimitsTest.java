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

import org.junit.jupiter.api.Test;

/** The limits a gateway at a region's edge holds against floods, each refusing at once and counted under its own name. */
class OperatingLimitsTest extends GatewayTest {

    @Test
    void connectionsPastTheLimitAreClosedAtOnceAndCountedWhileTheAdmittedOnesKeepWorking() throws Exception {
        int backendPort = Processes.freePort();
        int httpPort = Processes.freePort();
        int tcpPort = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = GatewayEnv.plainTcp("raw", tcpPort, "backend", backendPort);
            env.put("CROSSGATE_LISTENERS_RAW_MAX_CONNECTIONS", "2");
            env.putAll(GatewayEnv.plainHttp("web", httpPort, "backend", backendPort));
            env.put("CROSSGATE_LISTENERS_WEB_MAX_CONNECTIONS", "2");
            gateway = GatewayProcess.start(dir, env).awaitReady();

            Map<Integer, String> listeners = Map.of(httpPort, "web", tcpPort, "raw");
            for (int port : new int[] {httpPort, tcpPort}) {
                List<Socket> admitted = new ArrayList<>();
                try {
                    // one at a time: connections accepted together are admitted on their event loops in any order
                    for (int open = 1; open <= 2; open++) {
                        admitted.add(open(port));
                        gateway.awaitStat("listener." + listeners.get(port) + ".connections_open", open);
                    }
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
        try (HttpBackend backend = new HttpBackend(backendPort)) {
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
        int port = Processes.freePort();
        Map<String, String> env = tlsEdge(port, Processes.freePort());
        env.put("CROSSGATE_LISTENERS_EDGE_MAX_CONNECTIONS", "1");
        gateway = GatewayProcess.start(dir, env).awaitReady();

        try (Socket silent = open(port)) {
            silent.setSoTimeout(30_000);
            long opened = System.nanoTime();
            gateway.awaitStat("listener.edge.connections_open", 1); // admitted before the next arrives: accept order is not admission order
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

    /** A TLS listener {@code edge} (HTTP/1.1 and h2 by ALPN, certificate for localhost) in front of {@code backend}. */
    private interface Flood {
        void round(RawHttp2 flooder) throws java.io.IOException;
    }

    /**
     * Floods a TLS edge for {@code rounds} rounds from a client with a small receive buffer that reads nothing, and waits
     * for the GOAWAY ENHANCE_YOUR_CALM that ends it to be counted.
     */
    private void floodUntilGoaway(int rounds, Flood flood) throws Exception {
        int port = Processes.freePort();
        gateway = GatewayProcess.start(dir, tlsEdge(port, Processes.freePort())).awaitReady();
        try (RawHttp2 flooder = RawHttp2.connect(port, trustingTheEdge(), 4096)) {
            for (int round = 0; round < rounds; round++) {
                flood.round(flooder);
            }
        } catch (java.io.IOException closed) {
            // the gateway gave up on it mid-flood
        }
        gateway.awaitStatAtLeast("listener.edge.http2.goaway.enhance_your_calm", 1);
    }

    private Map<String, String> tlsEdge(int port, int backendPort) throws Exception {
        pki = dev.crossgate.tls.TestPki.create("limits-ca");
        return GatewayEnv.tlsEdge(dir, pki, port, backendPort);
    }

    private dev.crossgate.tls.TestPki pki;

    private javax.net.ssl.SSLContext trustingTheEdge() throws Exception {
        return TcpDataPlaneTest.clientContext(null, pki.ca.certificate());
    }

    @Test
    void behindTlsOversizedHeadersAndTooManyHeaderFieldsAreAnswered431AndCounted() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = tlsEdge(port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP_MAX_HEADER_SIZE", "2KiB");
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP_MAX_HEADER_COUNT", "20");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            String url = "https://localhost:" + port + "/";
            String[] tls = {"--cacert", dir.resolve("ca.crt").toString(), "--resolve", "localhost:" + port + ":127.0.0.1"};

            assertThat(curl(concat(tls, "--http1.1", "-H", "x-big: " + "a".repeat(4096), url)).output()).endsWith("\n431");
            gateway.awaitStat("listener.edge.http.431", 1);
            List<String> many = new ArrayList<>(List.of(tls));
            for (int i = 0; i < 30; i++) {
                many.addAll(List.of("-H", "x-field-" + i + ": " + i));
            }
            many.add(url);
            assertThat(curl(concat(many.toArray(String[]::new), "--http2")).output()).endsWith("\n431");
            assertThat(curl(concat(many.toArray(String[]::new), "--http1.1")).output()).endsWith("\n431");
            gateway.awaitStat("listener.edge.http.431", 3);
            assertThat(gateway.logLines("reason=too_many_headers")).as("logged at most once a second").hasSizeBetween(1, 2);
            // answered before its body is sent: the client gets the answer whole, and the rest of the body is read and dropped
            java.nio.file.Path upload = dir.resolve("upload.bin");
            java.nio.file.Files.write(upload, new byte[2 << 20]);
            assertThat(curl(concat(many.toArray(String[]::new), "--http2", "--data-binary", "@" + upload)).output()).endsWith("\n431");
            gateway.awaitStat("listener.edge.http.431", 4);
            assertThat(curl(concat(tls, "--http2", "-H", "x-small: ok", url)).output()).endsWith("\n200");
            assertThat(curl(concat(tls, "--http1.1", "-H", "x-small: ok", url)).output()).endsWith("\n200");
        }
    }

    private static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void headersTrickledPastTheHeaderTimeoutCloseTheConnectionWhileAnIdleKeepAliveConnectionStays() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        int plainPort = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = tlsEdge(port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP_HEADER_TIMEOUT", "2s");
            env.putAll(GatewayEnv.plainHttp("web", plainPort, "backend", backendPort));
            env.put("CROSSGATE_LISTENERS_WEB_HTTP_HEADER_TIMEOUT", "2s");
            gateway = GatewayProcess.start(dir, env).awaitReady();

            Socket plain = open(plainPort);
            Socket overTls = trustingTheEdge().getSocketFactory().createSocket(open(port), "localhost", port, true);
            int expected = 0;
            for (Socket socket : List.of(plain, overTls)) {
                try (socket) {
                    // a complete request, then silence longer than the header timeout: an idle keep-alive connection stays
                    String request = "GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n";
                    socket.getOutputStream().write(request.getBytes());
                    assertThat(Http1Responses.read(socket)).startsWith("HTTP/1.1 200");
                    Thread.sleep(3000);
                    socket.getOutputStream().write(request.replace("first", "second").getBytes());
                    assertThat(Http1Responses.read(socket)).startsWith("HTTP/1.1 200");

                    // a request whose headers trickle in: closed about 2 s after its first byte, though bytes keep coming
                    long started = System.nanoTime();
                    socket.getOutputStream().write("GET /slow HTTP/1.1\r\n".getBytes());
                    boolean closed = false;
                    for (int i = 0; i < 40 && !closed; i++) {
                        Thread.sleep(250);
                        try {
                            socket.getOutputStream().write(("x-drip-" + i + ": 1\r\n").getBytes());
                            socket.getOutputStream().flush();
                        } catch (java.io.IOException e) {
                            closed = true;
                        }
                        if (!closed) {
                            socket.setSoTimeout(1);
                            try {
                                closed = socket.getInputStream().read() == -1;
                            } catch (java.net.SocketTimeoutException e) {
                                // still open
                            } catch (java.io.IOException e) {
                                closed = true;
                            }
                        }
                    }
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    assertThat(closed).as("closed while the headers were still trickling in").isTrue();
                    assertThat(took).isBetween(Duration.ofMillis(1800), Duration.ofSeconds(6));
                }
                expected++;
                gateway.awaitStat((socket == plain ? "listener.web" : "listener.edge") + ".http.header_timeout", 1);
            }
            assertThat(expected).isEqualTo(2);
            assertThat(gateway.logLines("reason=header_timeout")).hasSize(2);
        }
    }

    @Test
    void aRapidResetClientIsSentGoawayEnhanceYourCalmAndCountedWhileOtherClientsAreServed() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = tlsEdge(port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP2_MAX_RESETS", "100");
            gateway = GatewayProcess.start(dir, env).awaitReady();

            try (RawHttp2 attacker = RawHttp2.connect(port, trustingTheEdge())) {
                for (int stream = 1; stream < 2 * 500; stream += 2) {
                    attacker.getAndReset(stream);
                }
                attacker.flush();
                assertThat(attacker.awaitGoAway()).as("GOAWAY ENHANCE_YOUR_CALM (0xb)").hasValue(0xb);
            }
            gateway.awaitStat("listener.edge.http2.goaway.enhance_your_calm", 1);
            assertThat(gateway.logLines("http2_goaway")).singleElement().asString().contains("error=enhance_your_calm");
            assertThat(curl("--cacert", dir.resolve("ca.crt").toString(), "--resolve", "localhost:" + port + ":127.0.0.1", "--http2",
                    "https://localhost:" + port + "/").output()).endsWith("\n200");
        }
    }

    @Test
    void aSlowReaderOfAOneGigabyteResponseKeepsGatewayMemoryFlatAndAClientThatNeverReadsIsClosedAfterTheWriteTimeout() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = GatewayEnv.plainHttp("web", port, "backend", backendPort);
            // over loopback (64 KiB segments) a 10 KB/s reader opens its window only every several seconds
            env.put("CROSSGATE_LISTENERS_WEB_WRITE_TIMEOUT", "15s");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            long residentAtStart = gateway.residentKiB();

            Socket slow = new Socket();
            slow.setReceiveBufferSize(64 * 1024);
            slow.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(64 * 1024);
            stalled.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            try (slow; stalled) {
                byte[] request = "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();
                slow.getOutputStream().write(request);
                stalled.getOutputStream().write(request);
                slow.setSoTimeout(10_000);
                InputStream in = slow.getInputStream();
                long read = 0;
                long peakResident = 0;
                byte[] buffer = new byte[1024];
                // 10 KB/s for 32 s: a kilobyte every 100 ms
                for (int tick = 0; tick < 320; tick++) {
                    int n = in.read(buffer);
                    assertThat(n).as("the slow reader's response goes on, tick %d", tick).isPositive();
                    read += n;
                    if (tick % 10 == 0) {
                        peakResident = Math.max(peakResident, gateway.residentKiB());
                    }
                    Thread.sleep(100);
                }
                long backendSent = backend.streamed();
                System.out.printf("slow reader: read %d KiB in 32 s; backend let through %d MiB of %d MiB; gateway RSS %d MiB at start, "
                        + "peak %d MiB%n", read / 1024, backendSent >> 20, HttpBackend.STREAM_BYTES >> 20, residentAtStart >> 10, peakResident >> 10);
                // what the backend could write is bounded by socket buffers and the gateway's watermarks, not by the body
                assertThat(backendSent).as("bytes the backend could write for two stalled clients").isLessThan(64L << 20);
                assertThat(peakResident - residentAtStart).as("gateway RSS growth, KiB").isLessThan(96 * 1024);
                gateway.awaitStat("listener.web.write_timeout", 1);
                assertThat(gateway.logLines("reason=write_timeout")).singleElement().asString().contains("write-timeout");
                stalled.setSoTimeout(10_000);
                assertThat(stalled.getInputStream().readAllBytes().length).as("what was in flight, then the end").isLessThan(64 << 20);
                assertThat(in.read(buffer)).as("the slow reader is still served").isPositive();
            }
        }
    }

    @Test
    void anHttp2StreamKeptAtAZeroWindowIsResetAfterTheWriteTimeoutWhileASlowReaderOnTheSameConnectionGoesOn() throws Exception {
        withAWindowlessStreamOne((client, backend) -> {
            client.get(3, "/stream");
            // stream 3 takes 1 KiB a second for 7 s: a slow reader for more than twice the write timeout, never a stalled one
            for (int second = 0; second < 7; second++) {
                client.take(3, 1024);
                Thread.sleep(1000);
            }
            assertThat(gateway.stat("listener.edge.write_timeout")).as("the stalled stream reset, the slow one not").isEqualTo(1);
            long stopped = System.nanoTime();
            assertThat(client.awaitReset(3)).as("once the slow reader stops, its stream is reset; the connection stays").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(12));
            gateway.awaitStat("listener.edge.write_timeout", 2);
            assertThat(backend.streamed()).as("what the backend could write for two streams that took 7 KiB").isLessThan(64L << 20);
        });
    }

    @Test
    void anHttp2StreamWhoseWindowIsOpenedWhileTheConnectionsStaysShutIsResetAfterTheWriteTimeout() throws Exception {
        withAWindowlessStreamOne((client, backend) -> {
            client.take(1, 65_535); // the whole connection window, never opened again
            client.get(3, "/stream");
            // stream 3's window is opened every second until it is reset, but nothing can be sent on it: granting is not taking
            long started = System.nanoTime();
            boolean reset = false;
            for (int second = 0; second < 10 && !reset; second++) {
                client.grant(3, 1024);
                reset = client.awaitReset(3, Duration.ofSeconds(1));
            }
            assertThat(reset).as("the stream that could send nothing is reset while its window is still being opened").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(9));
            gateway.awaitStatAtLeast("listener.edge.write_timeout", 1);
        });
    }

    private interface WindowlessClient {
        void run(RawHttp2 client, HttpBackend backend) throws Exception;
    }

    /** A gateway with a 3 s write-timeout before a backend that streams without end; a client whose streams get no window but what it grants, stream 1 asking already. */
    private void withAWindowlessStreamOne(WindowlessClient body) throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = tlsEdge(port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_WRITE_TIMEOUT", "3s");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            try (RawHttp2 client = RawHttp2.connect(port, trustingTheEdge())) {
                client.zeroWindow();
                client.get(1, "/stream");
                body.run(client, backend);
            }
        }
    }

    @Test
    void aPingFloodFromAClientThatReadsNoAcknowledgementGetsGoawayAndIsCounted() throws Exception {
        floodUntilGoaway(40, flooder -> flooder.pings(10_000));
        assertThat(gateway.logLines("http2_goaway")).isNotEmpty().allSatisfy(line -> assertThat(line).contains("error=enhance_your_calm"));
    }

    @Test
    void anHttp2StreamPastTheConcurrentStreamLimitIsRefusedWhileTheOpenOnesGoOn() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = tlsEdge(port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP2_MAX_CONCURRENT_STREAMS", "5");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            try (RawHttp2 client = RawHttp2.connect(port, trustingTheEdge())) {
                client.zeroWindow(); // the five streams stay open: their responses cannot be sent
                for (int stream = 1; stream <= 11; stream += 2) {
                    client.get(stream, "/stream");
                }
                assertThat(client.awaitReset(11)).as("the sixth stream is refused, the connection stays").isTrue();
            }
        }
    }

    @Test
    void aBackendThatReadsSlowlyHoldsBackAFastUploadInsteadOfTheGatewayBufferingIt() throws Exception {
        int port = Processes.freePort();
        try (java.net.ServerSocket backend = new java.net.ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            backend.setReceiveBufferSize(64 * 1024);
            Map<String, String> env = GatewayEnv.plainHttp("web", port, "backend", backend.getLocalPort());
            gateway = GatewayProcess.start(dir, env).awaitReady();
            long residentAtStart = gateway.residentKiB();
            java.util.concurrent.atomic.AtomicLong uploaded = new java.util.concurrent.atomic.AtomicLong();
            Thread uploader = new Thread(() -> {
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    client.setSendBufferSize(64 * 1024);
                    var out = client.getOutputStream();
                    out.write(("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (1L << 30) + "\r\n\r\n").getBytes());
                    byte[] chunk = new byte[64 * 1024];
                    while (uploaded.get() < (1L << 30)) {
                        out.write(chunk);
                        uploaded.addAndGet(chunk.length);
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "fast-uploader");
            uploader.setDaemon(true);
            uploader.start();
            long peakResident = 0;
            try (Socket slow = backend.accept()) {
                slow.setSoTimeout(10_000);
                InputStream in = slow.getInputStream();
                byte[] buffer = new byte[1024];
                // the backend takes 10 KB/s for 20 s
                for (int tick = 0; tick < 200; tick++) {
                    assertThat(in.read(buffer)).isPositive();
                    if (tick % 10 == 0) {
                        peakResident = Math.max(peakResident, gateway.residentKiB());
                    }
                    Thread.sleep(100);
                }
            }
            System.out.printf("slow backend: the client could upload %d MiB of 1024 MiB in 20 s; gateway RSS %d MiB at start, peak %d MiB%n",
                    uploaded.get() >> 20, residentAtStart >> 10, peakResident >> 10);
            assertThat(uploaded.get()).as("bytes the client could write past a backend taking 10 KB/s").isLessThan(64L << 20);
            assertThat(peakResident - residentAtStart).as("gateway RSS growth, KiB").isLessThan(96 * 1024);
        }
    }

    @Test
    void aKeepAliveConnectionIdleLongerThanTheIdleTimeoutIsClosed() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = GatewayEnv.plainHttp("web", port, "backend", backendPort);
            env.put("CROSSGATE_LISTENERS_WEB_IDLE_TIMEOUT", "2s");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            try (Socket socket = open(port)) {
                socket.getOutputStream().write("GET /once HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                assertThat(Http1Responses.read(socket)).startsWith("HTTP/1.1 200");
                long idleSince = System.nanoTime();
                assertThat(socket.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
            }
        }
    }

    @Test
    void anHttp2ConnectionIdleLongerThanTheIdleTimeoutGetsGoawayWhileOneInUseStays() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = tlsEdge(port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_IDLE_TIMEOUT", "2s");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            try (RawHttp2 idle = RawHttp2.connect(port, trustingTheEdge())) {
                idle.get(1, "/once");
                assertThat(idle.awaitEnd(1)).as("the idle connection's one response").isTrue();
                long idleSince = System.nanoTime();
                assertThat(idle.awaitGoAway()).as("GOAWAY without an error").hasValue(0);
                assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
            }
            try (RawHttp2 inUse = RawHttp2.connect(port, trustingTheEdge())) {
                long started = System.nanoTime();
                for (int stream = 1; Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0; stream += 2) {
                    inUse.get(stream, "/once");
                    assertThat(inUse.awaitEnd(stream)).as("stream %d, %d ms after the first", stream,
                            Duration.ofNanos(System.nanoTime() - started).toMillis()).isTrue();
                    Thread.sleep(500); // each pause a quarter of the idle timeout: the connection is never idle that long
                }
            }
        }
    }

    @Test
    void aSettingsFloodFromAClientThatReadsNoAcknowledgementGetsGoawayAndIsCounted() throws Exception {
        // the first few megabytes of acknowledgements fit in socket buffers; past them Netty's control-frame limit applies
        floodUntilGoaway(150, flooder -> flooder.settings(10_000));
        assertThat(gateway.logLines("http2_goaway")).singleElement().asString().contains("outstanding control frames");
    }

    @Test
    void anH2cConnectionOutlivesTheHeaderTimeoutWhichOnlyGuardsHttp11() throws Exception {
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = GatewayEnv.plainHttp("web", port, "backend", backendPort);
            env.put("CROSSGATE_LISTENERS_WEB_HTTP_HEADER_TIMEOUT", "1s");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            // the JDK client upgrades http:// to h2c and keeps the connection for the next request
            var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/h2c")).build();
            for (int i = 0; i < 3; i++) {
                var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
                Thread.sleep(2500);
            }
            assertThat(gateway.stat("listener.web.http.header_timeout")).as("h2c frames are not an HTTP/1.1 request in progress").isZero();
        }
    }
}
