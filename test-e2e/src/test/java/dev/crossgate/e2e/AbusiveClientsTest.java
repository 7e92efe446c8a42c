package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.crossgate.tls.TestPki;

/**
 * A steady good client and, at the same time, every abuse an edge gateway meets, all against one TLS listener: the
 * good client's requests all succeed, each abuse is counted under its own name, the log stays bounded, and the
 * gateway's memory stays under a bound. Every abuser is bounded in count and time.
 */
class AbusiveClientsTest extends GatewayTest {

    private static final int MAX_CONNECTIONS = 150;
    private static final int HEAP_MIB = 128;
    private static final int DIRECT_MIB = 64;
    private static final long RESIDENT_BOUND_MIB = 320;

    @Test
    void aGoodClientIsServedThroughoutWhileEveryAbuseIsRefusedAndCountedUnderItsOwnName() throws Exception {
        TestPki pki = TestPki.create("abuse-ca");
        int backendPort = Processes.freePort();
        int port = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = GatewayEnv.tlsEdge(dir, pki, port, backendPort);
            env.put("CROSSGATE_LISTENERS_EDGE_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS));
            env.put("CROSSGATE_LISTENERS_EDGE_TLS_HANDSHAKE_TIMEOUT", "3s");
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP_HEADER_TIMEOUT", "3s");
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP_MAX_HEADER_SIZE", "8KiB");
            env.put("CROSSGATE_LISTENERS_EDGE_WRITE_TIMEOUT", "6s");
            env.put("CROSSGATE_LISTENERS_EDGE_HTTP2_MAX_RESETS", "100");
            // memory bounded the way the README says to: heap and direct memory (where Netty's buffers live) both capped
            env.put("JDK_JAVA_OPTIONS", "-Xmx" + HEAP_MIB + "m -XX:MaxDirectMemorySize=" + DIRECT_MIB + "m");
            gateway = GatewayProcess.start(dir, env).awaitReady();
            SSLContext tls = TcpDataPlaneTest.clientContext(null, pki.ca.certificate());

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong peakResidentKiB = new AtomicLong(gateway.residentKiB());
            ExecutorService pool = Executors.newCachedThreadPool();
            try {
                Future<GoodClient> good = pool.submit(() -> goodClient(tls, port, running));
                Future<?> memory = pool.submit(() -> {
                    while (running.get()) {
                        peakResidentKiB.accumulateAndGet(gateway.residentKiB(), Math::max);
                        Thread.sleep(500);
                    }
                    return null;
                });
                List<Future<?>> abusers = new ArrayList<>();
                abusers.add(pool.submit(() -> handshakeSlowloris(port, 20)));
                abusers.add(pool.submit(() -> headerSlowloris(tls, port, 10)));
                abusers.add(pool.submit(() -> garbage(port, 40)));
                abusers.add(pool.submit(() -> truncatedClientHellos(port, 20)));
                abusers.add(pool.submit(() -> oversizedHeaders(tls, port, 20)));
                abusers.add(pool.submit(() -> rapidReset(tls, port, 3)));
                abusers.add(pool.submit(() -> neverReading(tls, port, 4)));
                abusers.add(pool.submit(() -> flood(port)));
                for (Future<?> abuser : abusers) {
                    abuser.get(90, java.util.concurrent.TimeUnit.SECONDS);
                }
                gateway.awaitStatAtLeast("listener.edge.write_timeout", 4);
                Thread.sleep(1000); // the good client goes on a little after the last abuse
                running.set(false);
                GoodClient served = good.get(30, java.util.concurrent.TimeUnit.SECONDS);
                memory.get(10, java.util.concurrent.TimeUnit.SECONDS);

                System.out.printf("good client: %d requests, %d failed, latency p50 %d ms, p99 %d ms, max %d ms; gateway peak RSS %d MiB%n",
                        served.latenciesMillis.size(), served.failures.size(), served.percentile(50), served.percentile(99),
                        served.percentile(100), peakResidentKiB.get() >> 10);
                assertThat(served.failures).as("the good client's failed requests").isEmpty();
                assertThat(served.latenciesMillis.size()).isGreaterThan(100);
            } finally {
                running.set(false);
                pool.shutdownNow();
            }

            Thread.sleep(4000); // the last handshake and header timeouts run out
            gateway.stats().forEach((name, value) -> {
                if (name.startsWith("listener.edge.") && value != 0) {
                    System.out.println(name + ": " + value);
                }
            });
            gateway.awaitStatAtLeast("listener.edge.ssl.failure.timeout", 20);
            gateway.awaitStatAtLeast("listener.edge.http.header_timeout", 10);
            gateway.awaitStatAtLeast("listener.edge.ssl.failure.not_tls", 40);
            gateway.awaitStatAtLeast("listener.edge.ssl.failure.closed_mid_handshake", 20);
            gateway.awaitStatAtLeast("listener.edge.http.431", 20);
            gateway.awaitStatAtLeast("listener.edge.http2.goaway.enhance_your_calm", 3);
            gateway.awaitStatAtLeast("listener.edge.connections_refused", 1);
            assertThat(peakResidentKiB.get() >> 10).as("gateway peak RSS, MiB").isLessThan(RESIDENT_BOUND_MIB);
            // over a hundred refusals, but the log keeps to a few lines a second per kind
            assertThat(gateway.logLines("handshake_failed").size()).isLessThan(80);
            assertThat(gateway.logLines("connections_refused").size()).isLessThan(10);
            assertThat(gateway.logLines("\tat ")).as("no stack trace in the log: every refusal is one line").isEmpty();
            assertThat(gateway.process.isAlive()).isTrue();
            assertThat(gateway.log()).doesNotContain("OutOfMemoryError").doesNotContain("OutOfDirectMemoryError");
        }
    }

    /** One request every 20 ms on one HTTP/2 connection, until told to stop. */
    private static GoodClient goodClient(SSLContext tls, int port, AtomicBoolean running) throws Exception {
        GoodClient result = new GoodClient();
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/good")).timeout(Duration.ofSeconds(10)).build();
        // the JDK client resolves localhost itself; the certificate is for localhost
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (running.get() && System.nanoTime() < deadline) {
            long started = System.nanoTime();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    result.failures.add("status " + response.statusCode());
                }
            } catch (Exception e) {
                result.failures.add(e.toString());
            }
            result.latenciesMillis.add((System.nanoTime() - started) / 1_000_000);
            Thread.sleep(20);
        }
        return result;
    }

    private static final class GoodClient {
        final List<Long> latenciesMillis = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();

        long percentile(int p) {
            List<Long> sorted = latenciesMillis.stream().sorted().toList();
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return sorted.isEmpty() ? -1 : sorted.get(Math.max(0, rank - 1));
        }
    }

    /** The first bytes of a ClientHello: a handshake record of 512 bytes announced, of which only these come. */
    private static byte[] clientHelloStart() {
        byte[] start = new byte[11 + 32];
        byte[] header = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        System.arraycopy(header, 0, start, 0, header.length);
        byte[] clientRandom = new byte[32];
        new Random(7).nextBytes(clientRandom);
        System.arraycopy(clientRandom, 0, start, header.length, clientRandom.length);
        return start;
    }

    private static Socket connect(int port) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Connections that trickle a ClientHello a byte every 300 ms: the handshake timeout ends each. */
    private static Void handshakeSlowloris(int port, int count) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(connect(port));
            }
            byte[] hello = clientHelloStart();
            trickle(sockets, i -> new byte[] {hello[i]});
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        return null;
    }

    /** TLS connections whose request headers trickle in a line every 300 ms: the header timeout ends each. */
    private static Void headerSlowloris(SSLContext tls, int port, int count) throws Exception {
        List<SSLSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(connect(port), "localhost", port, true);
                socket.startHandshake();
                socket.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: localhost\r\n".getBytes());
                socket.getOutputStream().flush();
                sockets.add(socket);
            }
            trickle(sockets, line -> ("x-drip-" + line + ": 1\r\n").getBytes());
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        return null;
    }

    /** Twenty rounds, 300 ms apart, of a few bytes to every socket; one the gateway has closed is left alone. */
    private static void trickle(List<? extends Socket> sockets, java.util.function.IntFunction<byte[]> round) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            for (Socket socket : sockets) {
                try {
                    socket.getOutputStream().write(round.apply(i));
                    socket.getOutputStream().flush();
                } catch (java.io.IOException closed) {
                    // the gateway gave up on it
                }
            }
            Thread.sleep(300);
        }
    }

    /** Plaintext HTTP and random bytes sent to the TLS port. */
    private static Void garbage(int port, int count) throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < count; i++) {
            try (Socket socket = connect(port)) {
                byte[] bytes;
                if (i % 2 == 0) {
                    bytes = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes();
                } else {
                    bytes = new byte[512];
                    random.nextBytes(bytes);
                    bytes[0] = 0x00; // not a handshake record
                }
                socket.getOutputStream().write(bytes);
                awaitClose(socket);
            }
        }
        return null;
    }

    /** Half a ClientHello, then the end of the connection. */
    private static Void truncatedClientHellos(int port, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            try (Socket socket = connect(port)) {
                socket.getOutputStream().write(clientHelloStart());
                socket.shutdownOutput();
                awaitClose(socket);
            }
        }
        return null;
    }

    private static void awaitClose(Socket socket) throws Exception {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // an alert, then the end
            }
        } catch (java.io.IOException reset) {
            // closed with a reset: as good as an end
        }
    }

    /** HTTP/1.1 requests over TLS with a 12 KiB header, over the 8 KiB limit; whatever answer comes must be 431. */
    private static Void oversizedHeaders(SSLContext tls, int port, int count) throws Exception {
        String big = "x-big: " + "a".repeat(12 * 1024) + "\r\n";
        for (int i = 0; i < count; i++) {
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(connect(port), "localhost", port, true)) {
                String status;
                try {
                    socket.getOutputStream().write(("GET /big HTTP/1.1\r\nHost: localhost\r\n" + big + "\r\n").getBytes());
                    socket.getOutputStream().flush();
                    status = new String(socket.getInputStream().readNBytes(12));
                } catch (java.io.IOException refusedMidWrite) {
                    continue; // answered and closed before the whole request was written: counted all the same
                }
                assertThat(status).isEqualTo("HTTP/1.1 431");
            }
        }
        return null;
    }

    private static Void rapidReset(SSLContext tls, int port, int connections) throws Exception {
        for (int c = 0; c < connections; c++) {
            try (RawHttp2 attacker = RawHttp2.connect(port, tls)) {
                for (int stream = 1; stream < 2 * 400; stream += 2) {
                    attacker.getAndReset(stream);
                }
                attacker.flush();
                assertThat(attacker.awaitGoAway()).hasValue(0xb);
            }
        }
        return null;
    }

    /** Clients that ask for a gigabyte and read none of it: held until the write timeout closes them. */
    private static Void neverReading(SSLContext tls, int port, int count) throws Exception {
        List<SSLSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket raw = new Socket();
                raw.setReceiveBufferSize(32 * 1024);
                raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, "localhost", port, true);
                OutputStream out = socket.getOutputStream();
                out.write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
                out.flush();
                sockets.add(socket);
            }
            Thread.sleep(20_000);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        return null;
    }

    /** After the others have started: more connections than the listener holds, opened at once, held 2 s. */
    private static Void flood(int port) throws Exception {
        Thread.sleep(8000);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS + 50; i++) {
                sockets.add(connect(port));
            }
            Thread.sleep(2000);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        return null;
    }
}
