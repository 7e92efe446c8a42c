package dev.crossgate.certsource.acmpca;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback HTTP proxy in front of the emulator that answers chosen ACM Private CA actions with the errors
 * AWS gives (AccessDenied, throttling, 5xx) or drops the connection, and counts every call per action.
 * The SDK under test cannot tell it from AWS: the errors have AWS's JSON shape and status codes.
 */
public final class FaultProxy implements AutoCloseable {

    /** An answer AWS could give instead of the real one; {@link #DROP} closes the connection unanswered. */
    public record Fault(int status, String code, String message) {

        public static final Fault DROP = new Fault(0, "", "");

        public static Fault accessDenied(String action, String resource) {
            return new Fault(400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/crossgate-gateway/i-0123 is not "
                    + "authorized to perform: acm-pca:" + action + " on resource: " + resource + " because no identity-based policy allows it");
        }

        public static Fault throttling() {
            return new Fault(400, "ThrottlingException", "Rate exceeded");
        }

        public static Fault serviceUnavailable() {
            return new Fault(503, "ServiceUnavailableException", "Service is unavailable");
        }

        public static Fault expiredToken() {
            return new Fault(400, "ExpiredTokenException", "The security token included in the request is expired");
        }
    }

    private record Planned(Fault fault, AtomicInteger remaining) {
    }

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "transfer-encoding", "expect", "upgrade");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Planned> plans = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    public FaultProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers the next {@code times} calls of {@code action} (e.g. {@code IssueCertificate}) with {@code fault}. */
    public void fail(String action, Fault fault, int times) {
        plans.put(action, new Planned(fault, new AtomicInteger(times)));
    }

    public void failAlways(String action, Fault fault) {
        fail(action, fault, Integer.MAX_VALUE);
    }

    public void clear() {
        plans.clear();
    }

    /** Calls of {@code action} seen so far, failed or forwarded. */
    public int calls(String action) {
        return calls.computeIfAbsent(action, a -> new AtomicInteger()).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String action = target == null ? "" : target.substring(target.indexOf('.') + 1);
            calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Planned planned = plans.get(action);
            if (planned != null && planned.remaining().getAndDecrement() > 0) {
                answer(exchange, planned.fault());
                return;
            }
            forward(exchange, body);
        }
    }

    private static void answer(HttpExchange exchange, Fault fault) throws IOException {
        if (fault == Fault.DROP) {
            return; // closing the exchange unanswered closes the connection
        }
        byte[] json = ("{\"__type\":\"" + fault.code() + "\",\"message\":\"" + fault.message() + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().add("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(fault.status(), json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                values.forEach(value -> exchange.getResponseHeaders().add(name, value));
            }
        });
        byte[] answer = response.body();
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
