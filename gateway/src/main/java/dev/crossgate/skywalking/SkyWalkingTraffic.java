package dev.crossgate.skywalking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import org.reactivestreams.Publisher;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ListenerConfig;
import dev.crossgate.connector.HttpConnector;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * What a gRPC listener knows of SkyWalking: messages and bytes per collector service for every call, proxied or not,
 * and, with store-and-forward on, the report calls it answers itself and hands to a {@link ReportForwarder}.
 */
public final class SkyWalkingTraffic implements AutoCloseable {

    /** An empty {@code Commands} message, framed: what OAP answers to a report when it has nothing for the agent. */
    private static final byte[] NO_COMMANDS = GrpcFrames.frame(new byte[0]);

    private final Map<String, LongAdder[]> perService = new HashMap<>();
    private final ReportBuffer buffer;
    private final ReportForwarder forwarder;

    public SkyWalkingTraffic(ListenerConfig listener, HttpConnector connector, Stats stats) {
        for (SkyWalkingServices.Method method : SkyWalkingServices.all()) {
            String scope = "listener." + listener.name() + ".skywalking." + method.service();
            perService.computeIfAbsent(method.service(), s -> new LongAdder[] {stats.counter(scope + ".messages"), stats.counter(scope + ".bytes")});
        }
        if (listener.storeAndForward().enabled()) {
            try {
                this.buffer = new ReportBuffer(listener.name(), listener.storeAndForward(), stats);
            } catch (IOException e) {
                throw new UncheckedIOException("listener " + listener.name() + ": cannot open the store-and-forward spool in "
                        + listener.storeAndForward().spoolDir() + " (" + listener.property("store-and-forward.spool-dir") + ")", e);
            }
            this.forwarder = new ReportForwarder(listener.name(), buffer, connector, stats);
            forwarder.kick(); // what a restart found in the spool
        } else {
            this.buffer = null;
            this.forwarder = null;
        }
    }

    /** The collector method a request calls, if it is one. */
    public Optional<SkyWalkingServices.Method> method(HttpServerRequest request) {
        return SkyWalkingServices.byPath(request.uri());
    }

    /** Whether this call is answered here and forwarded later, rather than proxied. */
    public boolean stores(SkyWalkingServices.Method method, HttpServerRequest request) {
        String encoding = request.requestHeaders().get("grpc-encoding");
        return buffer != null && method.storable() && (encoding == null || encoding.equals("identity"));
    }

    /** The request body as it goes on to the backend, counted on the way. */
    public Flux<io.netty.buffer.ByteBuf> counted(SkyWalkingServices.Method method, ByteBufFlux body) {
        GrpcFrames frames = new GrpcFrames(null);
        return body.doOnNext(frames::feed).doFinally(signal -> count(method, frames));
    }

    /** Takes every report of the call into the buffer, and once they are kept answers as OAP would: no commands, status 0. */
    public Publisher<Void> store(SkyWalkingServices.Method method, HttpServerRequest request, HttpServerResponse response) {
        GrpcFrames frames = new GrpcFrames(message -> buffer.add(method.fullName(), message));
        return request.receive().doOnNext(frames::feed)
                .then(Mono.defer(buffer::durable))
                .then(Mono.defer(() -> {
                    count(method, frames);
                    forwarder.kick();
                    return response.status(HttpResponseStatus.OK).header(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                            .trailerHeaders(trailers -> trailers.set("grpc-status", "0"))
                            .sendByteArray(Mono.just(NO_COMMANDS)).then();
                }))
                .onErrorResume(IllegalArgumentException.class, refused -> response.status(HttpResponseStatus.OK)
                        .header(HttpHeaderNames.CONTENT_TYPE, "application/grpc").header("grpc-status", "3")
                        .header("grpc-message", java.net.URLEncoder.encode(refused.getMessage(), java.nio.charset.StandardCharsets.UTF_8)
                                .replace("+", "%20"))
                        .send());
    }

    private void count(SkyWalkingServices.Method method, GrpcFrames frames) {
        LongAdder[] counters = perService.get(method.service());
        counters[0].add(frames.messages());
        counters[1].add(frames.bytes());
    }

    @Override
    public void close() {
        if (forwarder != null) {
            forwarder.close();
        }
        if (buffer != null) {
            buffer.close();
        }
    }
}
