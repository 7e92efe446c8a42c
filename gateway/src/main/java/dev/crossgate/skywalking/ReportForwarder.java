package dev.crossgate.skywalking;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.Stats;
import dev.crossgate.connector.HttpConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Replays waiting reports to the far side in arrival order: one client-streaming call per batch of the same
 * method, removed from the buffer only when the far side answers {@code grpc-status 0}. While it cannot, the
 * batch stays and is tried again with back-off; one WARN says so when it starts, one INFO when it is over.
 */
public final class ReportForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportForwarder.class);
    private static final int BATCH_MESSAGES = 500;
    private static final long BATCH_BYTES = 1 << 20;
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(5);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final String listener;
    private final ReportBuffer buffer;
    private final HttpConnector connector;
    private final LongAdder failures;
    private final LongAdder rejected;
    private final AtomicBoolean sending = new AtomicBoolean();
    private volatile Duration retry = FIRST_RETRY;
    private volatile boolean failing;
    private volatile boolean closed;
    private volatile Disposable pending;

    public ReportForwarder(String listener, ReportBuffer buffer, HttpConnector connector, Stats stats) {
        this.listener = listener;
        this.buffer = buffer;
        this.connector = connector;
        String scope = "listener." + listener + ".store_and_forward";
        this.failures = stats.counter(scope + ".forward_failures");
        this.rejected = stats.counter(scope + ".rejected_by_far_side");
    }

    /** Sends the oldest batch unless one is on its way already; called when reports arrive and when a send ends. */
    public void kick() {
        if (closed || buffer.isEmpty() || !sending.compareAndSet(false, true)) {
            return;
        }
        List<ReportBuffer.Report> batch = buffer.batch(BATCH_MESSAGES, BATCH_BYTES, this::messagesPerCall);
        if (batch.isEmpty()) {
            sending.set(false);
            return;
        }
        pending = send(batch).subscribe(status -> finished(batch, status, null), error -> finished(batch, null, error));
    }

    /** A unary report (JVM metrics, a heartbeat) is one call per message; a stream takes a batch. */
    private int messagesPerCall(String method) {
        return SkyWalkingServices.byName(method).map(m -> m.streaming() ? BATCH_MESSAGES : 1).orElse(1);
    }

    /** What the far side answered (grpc-status "0" is OK), or an error when it could not be asked. */
    private Mono<Outcome> send(List<ReportBuffer.Report> batch) {
        var client = connector.client().orElse(null);
        if (client == null) {
            return Mono.error(new IllegalStateException("connector " + connector.config().name() + " is not ready: "
                    + connector.notReadyReason().orElse("starting")));
        }
        int size = 0;
        for (ReportBuffer.Report report : batch) {
            size += 5 + report.message().length;
        }
        ByteBuf body = Unpooled.buffer(size);
        for (ReportBuffer.Report report : batch) {
            body.writeByte(0).writeInt(report.message().length).writeBytes(report.message());
        }
        return client.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc").set(HttpHeaderNames.TE, "trailers"))
                .request(HttpMethod.POST)
                .uri("/" + batch.get(0).method())
                .send(Mono.just(body))
                .response((response, content) -> content.then(Mono.defer(() -> {
                    if (response.responseHeaders().contains("grpc-status")) {
                        return Mono.just(Outcome.of(response.responseHeaders())); // trailers-only: an error without messages
                    }
                    return response.trailerHeaders().map(Outcome::of);
                })))
                .next()
                .timeout(CALL_TIMEOUT);
    }

    private void finished(List<ReportBuffer.Report> batch, Outcome status, Throwable error) {
        String code = status == null ? null : status.code();
        if ("0".equals(code)) {
            buffer.delivered(batch);
            if (failing) {
                failing = false;
                LOG.info("listener={} store_and_forward the far side takes reports again; {} wait to be replayed", listener, buffer.waitingCount());
            }
            retry = FIRST_RETRY;
            sending.set(false);
            kick();
            return;
        }
        if ("3".equals(code) || "12".equals(code)) {
            // INVALID_ARGUMENT or UNIMPLEMENTED: sending it again would fail again and hold back every report behind it
            rejected.add(batch.size());
            LOG.warn("listener={} store_and_forward the far side refused {} report(s) of {} for good (grpc-status {}); they are dropped",
                    listener, batch.size(), batch.get(0).method(), status);
            buffer.delivered(batch);
            sending.set(false);
            kick();
            return;
        }
        failures.increment();
        if (!failing) {
            failing = true;
            LOG.warn("listener={} store_and_forward cannot deliver to connector {} ({}): {}; reports are kept ({} waiting, {} bytes) "
                    + "and retried with back-off", listener, connector.config().name(), connector.config().address(),
                    error != null ? error.toString() : "grpc-status " + status, buffer.waitingCount(), buffer.waitingBytes());
        }
        Duration wait = retry;
        retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
        pending = Mono.delay(wait).subscribe(tick -> {
            sending.set(false);
            kick();
        });
    }

    /** What the far side answered: grpc-status, and grpc-message when there is one. */
    private record Outcome(String code, String message) {

        static Outcome of(io.netty.handler.codec.http.HttpHeaders headers) {
            String message = headers.get("grpc-message");
            return new Outcome(String.valueOf(headers.get("grpc-status")),
                    message == null ? "" : java.net.URLDecoder.decode(message, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return message.isEmpty() ? code : code + " " + message;
        }
    }

    @Override
    public void close() {
        closed = true;
        Disposable current = pending;
        if (current != null) {
            current.dispose();
        }
    }
}
