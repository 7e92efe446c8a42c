package dev.crossgate.listener;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;


import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.LogFields;
import dev.crossgate.admin.RateLimitedWarning;
import dev.crossgate.admin.Stats;
import dev.crossgate.config.ListenerConfig;
import dev.crossgate.connector.HttpConnector;
import dev.crossgate.skywalking.SkyWalkingServices;
import dev.crossgate.skywalking.SkyWalkingTraffic;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The reverse proxy of an HTTP listener, through Reactor Netty: gRPC listeners (HTTP/2 to the backend), and plaintext
 * listeners (where an HTTP/1.1 connection may still upgrade to h2c). Streams the request to the connector and the response
 * back, both ways without buffering whole bodies, and answers with a plain reason when the backend cannot. HTTP/1.1 and
 * HTTP/2 over TLS to an HTTP/1.1 backend go through {@link HttpForwarder} instead, which shares this class's counters,
 * refusals and reasons, so both answer alike.
 */
public final class HttpProxy implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpProxy.class);
    private static final int SMALL_BODY = 64 * 1024;

    private final String listener;
    private final boolean https;
    private final int maxHeaderCount;
    private final HttpConnector connector;
    private final SkyWalkingTraffic skywalking;
    private final LongAdder requests;
    private final LongAdder badGateway;
    private final LongAdder unavailable;
    private final LongAdder gatewayTimeout;
    private final LongAdder downstreamClosed;
    private final LongAdder headersRefused;
    private final RateLimitedWarning headerCountWarning = new RateLimitedWarning();
    /** A backend that is down fails every request: the first few a second name it, the counters count them all. */
    private final RateLimitedWarning upstreamWarning = new RateLimitedWarning(10);
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean draining;

    /** @param skywalking what a gRPC listener knows of SkyWalking's collector calls; null for HTTP listeners */
    public HttpProxy(ListenerConfig config, HttpConnector connector, SkyWalkingTraffic skywalking, Stats stats) {
        this.listener = config.name();
        this.https = config.tls().mode() == ListenerConfig.TlsMode.TERMINATE;
        this.maxHeaderCount = config.limits().maxHeaderCount();
        this.connector = connector;
        this.skywalking = skywalking;
        String scope = "listener." + listener;
        this.requests = stats.counter(scope + ".http.requests");
        this.badGateway = stats.counter(scope + ".http.502");
        this.unavailable = stats.counter(scope + ".http.503");
        this.gatewayTimeout = stats.counter(scope + ".http.504");
        this.downstreamClosed = stats.counter(scope + ".http.downstream_closed");
        this.headersRefused = stats.counter(scope + ".http.431");
    }

    /** From now on every response asks the client to close its connection, so keep-alive clients move on. */
    void drain() {
        draining = true;
    }

    int inFlight() {
        return inFlight.get();
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        Channel[] captured = new Channel[1];
        request.withConnection(c -> captured[0] = c.channel());
        Channel stream = captured[0];
        boolean http2 = stream instanceof Http2StreamChannel;
        // the TCP connection: an HTTP/2 stream's parent holds the TLS session
        Channel connection = http2 ? stream.parent() : stream;
        ConnectionAges.Age age = started(connection);
        if (closing(age)) {
            response.keepAlive(false);
        }
        return Mono.from(proxy(request, response, stream, connection, age, http2)).doFinally(signal -> {
            if (signal == SignalType.CANCEL) {
                clientGone(request.method().name(), request.uri(), "cancelled");
            }
            ended(connection, age);
        });
    }

    /** A request starts on {@code connection} (counted, in flight): its age, to hand to {@link #closing} and {@link #ended}. */
    ConnectionAges.Age started(Channel connection) {
        requests.increment();
        inFlight.incrementAndGet();
        return ConnectionAges.requestStarted(connection);
    }

    void ended(Channel connection, ConnectionAges.Age age) {
        inFlight.decrementAndGet();
        ConnectionAges.requestEnded(connection, age);
    }

    /** Whether the response should ask the client to close: the listener is draining or the connection was retired. */
    boolean closing(ConnectionAges.Age age) {
        return draining || age.retired();
    }

    /** Counts and logs a request with more header fields than allowed and says why; null when within the limit. */
    String tooManyHeaders(HttpHeaders headers, java.net.SocketAddress peer) {
        int headerCount = headers.size();
        if (headerCount <= maxHeaderCount) {
            return null;
        }
        // the decoders bound the headers' bytes; their number is bounded here, for HTTP/1.1 and HTTP/2 alike
        headersRefused.increment();
        if (headerCountWarning.due()) {
            LOG.warn("http_refused listener={} peer={} reason=too_many_headers detail=\"{} header fields, the limit is {}\" setting={}{}",
                    listener, LogFields.peer(peer), headerCount, maxHeaderCount,
                    ListenerConfig.PREFIX + listener + ".http.max-header-count", headerCountWarning.leftOut());
        }
        return headerCount + " header fields, the limit is " + maxHeaderCount;
    }

    /** Counts a request the connector cannot take yet (see {@link HttpConnector#admit}) and says why. */
    String notReady() {
        unavailable.increment();
        return "connector " + connector.config().name() + " is not ready: " + connector.notReadyReason().orElse("starting");
    }

    HttpConnector connector() {
        return connector;
    }

    boolean https() {
        return https;
    }

    private Publisher<Void> proxy(HttpServerRequest request, HttpServerResponse response, Channel stream, Channel connection,
                                  ConnectionAges.Age age, boolean http2) {
        String tooMany = tooManyHeaders(request.requestHeaders(), request.remoteAddress());
        if (tooMany != null) {
            response.keepAlive(false);
            return plain(response, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, tooMany);
        }
        SkyWalkingServices.Method collector = skywalking == null ? null : skywalking.method(request).orElse(null);
        if (collector != null && skywalking.stores(collector, request)) {
            return skywalking.store(collector, request, response); // answered here, whether or not the far side is there now
        }
        HttpClient client = connector.client().orElse(null);
        if (client == null) {
            String reason = notReady();
            return isGrpc(request.requestHeaders()) ? grpcStatus(response, HttpResponseStatus.SERVICE_UNAVAILABLE, reason)
                    : plain(response, HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
        }
        String clientCertificate = ForwardedHeaders.clientCertificate(connection);
        return client
                .headers(headers -> ForwardedHeaders.request(request.requestHeaders(), headers, request.remoteAddress(), https,
                        clientCertificate))
                .request(request.method())
                .uri(request.uri())
                .send((outbound, body) -> hasNoBody(request, http2) ? body
                        : body.send(collector != null ? skywalking.counted(collector, request.receive().retain()) : request.receive().retain()))
                .response((upstream, body) -> {
                    if (closing(age)) {
                        response.keepAlive(false); // retired while this request was in flight: say so before closing
                    }
                    response.status(upstream.status());
                    ForwardedHeaders.copyEndToEnd(upstream.responseHeaders(), response.responseHeaders());
                    if (upstream.responseHeaders().contains("grpc-status")) {
                        // a gRPC trailers-only answer (an error without messages) must stay one HEADERS frame, not headers plus empty DATA
                        return body.then().then(response.send());
                    }
                    // trailers (gRPC's grpc-status and grpc-message) arrive with the end of the body and go out with ours
                    io.netty.handler.codec.http.HttpHeaders[] trailers = new io.netty.handler.codec.http.HttpHeaders[1];
                    upstream.trailerHeaders().subscribe(received -> trailers[0] = received);
                    response.trailerHeaders(outgoing -> {
                        if (trailers[0] != null) {
                            ForwardedHeaders.copyEndToEnd(trailers[0], outgoing);
                        }
                    });
                    if (isSmall(upstream.responseHeaders())) {
                        // headers and body leave in one write (one TLS record, one syscall) instead of two
                        // copied out of the pooled buffers: a retained aggregate leaked when the client reset its stream first
                        return response.sendByteArray(body.aggregate().asByteArray());
                    }
                    return response.send(body.retain());
                })
                .then()
                .onErrorResume(error -> {
                    if (stream.isActive()) {
                        return failed(request, response, error);
                    }
                    clientGone(request.method().name(), request.uri(), error.toString());
                    return Mono.empty();
                });
    }

    /** The client closed its connection or reset its stream mid-exchange: nobody is left to answer, and the backend did no wrong. */
    void clientGone(String method, String uri, String detail) {
        downstreamClosed.increment();
        LOG.debug("downstream_closed listener={} method={} uri={} detail=\"{}\"", listener, method, uri, detail);
    }

    /** What the client is told when the backend cannot answer: a status and a reason that names the connector. */
    record Refusal(HttpResponseStatus status, String reason) {
    }

    /** Counts, logs (a few a second) and explains a request the backend failed. */
    Refusal upstreamFailed(String method, String uri, Throwable error) {
        HttpConnector.Failure failure = connector.failed(error);
        HttpResponseStatus status = HttpResponseStatus.valueOf(failure.status());
        switch (status.code()) {
            case 504 -> gatewayTimeout.increment();
            case 503 -> unavailable.increment();
            default -> badGateway.increment();
        }
        if (upstreamWarning.due()) {
            LOG.warn("upstream_failed listener={} connector={} address={} method={} uri={} status={} reason={} error=\"{}\"{}", listener,
                    connector.config().name(), connector.config().address(), method, uri, status.code(), failure.label(),
                    error.toString(), upstreamWarning.leftOut());
        }
        return new Refusal(status, connector.describe(failure));
    }

    private Mono<Void> failed(HttpServerRequest request, HttpServerResponse response, Throwable error) {
        Refusal refusal = upstreamFailed(request.method().name(), request.uri(), error);
        if (response.hasSentHeaders()) {
            return Mono.error(error); // mid-body: all we can do is close, which tells the client the response is incomplete
        }
        if (isGrpc(request.requestHeaders())) {
            return grpcStatus(response, refusal.status(), refusal.reason());
        }
        return plain(response, refusal.status(), refusal.reason());
    }

    /**
     * An HTTP/1.x request without Content-Length and Transfer-Encoding has no body (RFC 9112 6.3), so there is nothing to
     * stream and no back-pressure to arrange on the client's connection. HTTP/2 may send DATA without a length: always streamed.
     */
    private static boolean hasNoBody(HttpServerRequest request, boolean http2) {
        if (http2) {
            return false;
        }
        HttpHeaders headers = request.requestHeaders();
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null ? !headers.contains(HttpHeaderNames.TRANSFER_ENCODING) : "0".equals(length);
    }

    /** A response body of a known length up to {@value #SMALL_BODY} bytes is sent whole, together with the headers. */
    private static boolean isSmall(HttpHeaders headers) {
        Integer length = headers.getInt(HttpHeaderNames.CONTENT_LENGTH); // null when absent or not a number
        return length != null && length >= 0 && length <= SMALL_BODY;
    }

    static boolean isGrpc(HttpHeaders requestHeaders) {
        String type = requestHeaders.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.startsWith("application/grpc");
    }

    /** A trailers-only gRPC response: HTTP 200 with the outcome in the headers and no body. */
    private static Mono<Void> grpcStatus(HttpServerResponse response, HttpResponseStatus status, String reason) {
        grpcOutcome(response.status(HttpResponseStatus.OK).responseHeaders(), status, reason);
        return response.send();
    }

    /**
     * The headers of a trailers-only gRPC answer the gateway gives itself: gRPC clients read the outcome from grpc-status,
     * not from the HTTP status; a timeout is 4 DEADLINE_EXCEEDED, every other refusal 14 UNAVAILABLE.
     */
    static void grpcOutcome(HttpHeaders headers, HttpResponseStatus status, String reason) {
        int code = status == HttpResponseStatus.GATEWAY_TIMEOUT ? 4 : 14;
        headers.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc").set("grpc-status", Integer.toString(code))
                .set("grpc-message", java.net.URLEncoder.encode(reason, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private static Mono<Void> plain(HttpServerResponse response, HttpResponseStatus status, String reason) {
        byte[] body = plainBody(status, reason);
        return response.status(status).header(HttpHeaderNames.CONTENT_TYPE, PLAIN_TEXT)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .sendByteArray(Mono.just(body)).then();
    }

    static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    /** The body of every answer the gateway gives itself: the status and the reason, on one line. */
    static byte[] plainBody(HttpResponseStatus status, String reason) {
        return (status.code() + " " + status.reasonPhrase() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
