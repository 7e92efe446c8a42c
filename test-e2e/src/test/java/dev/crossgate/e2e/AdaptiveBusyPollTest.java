package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.crossgate.tls.TestPki;

/**
 * The packaged gateway's default waiting ({@code crossgate.io.busy-poll=auto}): its event loop polls while traffic keeps
 * it busy, and those polls catch the traffic; once the traffic is light it sleeps at once again and polls no more.
 */
class AdaptiveBusyPollTest extends GatewayTest {

    private static final byte[] REQUEST = "GET /poll HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theDefaultLoopPollsWhileTrafficKeepsItBusyAndNotWhileTrafficIsLight() throws Exception {
        TestPki pki = TestPki.create("poll-ca");
        int port = Processes.freePort();
        int backendPort = Processes.freePort();
        try (HttpBackend backend = new HttpBackend(backendPort)) {
            Map<String, String> env = GatewayEnv.tlsEdge(dir, pki, port, backendPort);
            env.put("CROSSGATE_IO_THREADS", "1");
            gateway = GatewayProcess.start(dir, env, Processes.crossgateAsShipped()).awaitReady();
            assertThat(gateway.logLines("event loop(s)")).singleElement().asString().contains("(crossgate.io.busy-poll=auto)");
            javax.net.ssl.SSLContext tls = TcpDataPlaneTest.clientContext(null, pki.ca.certificate());

            // sixteen keep-alive clients until the loop's polls have caught 200 times (bounded: 60 s, 2 million requests)
            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<Integer>> served = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                served.add(clients.submit(() -> {
                    int ok = 0;
                    try (SSLSocket socket = connect(tls, port)) {
                        while (loading.get() && ok < 125_000) {
                            ok += exchange(socket) ? 1 : 0;
                        }
                    }
                    return ok;
                }));
            }
            long start = System.nanoTime();
            while (gateway.stat("io.busy_poll.caught") < 200 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(200);
            }
            loading.set(false);
            long loadedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            int requests = 0;
            for (Future<Integer> client : served) {
                int ok = client.get(30, TimeUnit.SECONDS);
                assertThat(ok).isPositive();
                requests += ok;
            }
            clients.shutdown();
            assertThat(gateway.stat("io.busy_poll.caught")).as("polls that caught traffic under load (%d requests in %d ms; missed %d)",
                    requests, loadedMillis, gateway.stat("io.busy_poll.missed")).isGreaterThanOrEqualTo(200);

            // one request every 20 ms: the loop is busy a few per cent of the time and sleeps at once
            try (SSLSocket socket = connect(tls, port)) {
                for (int i = 0; i < 10; i++) {
                    assertThat(exchange(socket)).isTrue();
                    Thread.sleep(20);
                }
                long polls = gateway.stat("io.busy_poll.caught") + gateway.stat("io.busy_poll.missed");
                for (int i = 0; i < 100; i++) {
                    assertThat(exchange(socket)).isTrue();
                    Thread.sleep(20);
                }
                assertThat(gateway.stat("io.busy_poll.caught") + gateway.stat("io.busy_poll.missed")).as("polls under light traffic")
                        .isEqualTo(polls);
            }
        }
    }

    private static SSLSocket connect(javax.net.ssl.SSLContext tls, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        return socket;
    }

    /** One request on a keep-alive connection; whether it was answered 200 with the backend's body. */
    private static boolean exchange(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(REQUEST);
        out.flush();
        String response = Http1Responses.read(socket);
        return response.startsWith("HTTP/1.1 200") && response.endsWith("\r\n\r\nok\n");
    }
}
