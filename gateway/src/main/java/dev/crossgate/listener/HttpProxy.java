package dev.crossgate.listener;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;


import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.Stats;
import dev.crossgate.connector.HttpConnector;
import dev.crossgate.tls.HandshakeObserver;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The reverse proxy of an HTTP listener: streams the request to the connector and the response back,
 * both ways without buffering whole bodies, and answers with a plain reason when the backend cannot.
 */
public final class HttpProxy implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpProxy.class);

    private final String listener;
    private final boolean https;
    private final HttpConnector connector;
    private final LongAdder requests;
    private final LongAdder badGateway;
    private final LongAdder unavailable;
    private final LongAdder gatewayTimeout;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean draining;

    public HttpProxy(String listener, boolean https, HttpConnector connector, Stats stats) {
        this.listener = listener;
        this.https = https;
        this.connector = connector;
        String scope = "listener." + listener;
        this.requests = stats.counter(scope + ".http.requests");
        this.badGateway = stats.counter(scope + ".http.502");
        this.unavailable = stats.counter(scope + ".http.503");
        this.gatewayTimeout = stats.counter(scope + ".http.504");
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
        requests.increment();
        inFlight.incrementAndGet();
        Channel[] connection = new Channel[1];
        request.withConnection(c -> connection[0] = connectionOf(c.channel()));
        boolean retired = ConnectionAges.requestStarted(connection[0]);
        if (draining || retired) {
            response.keepAlive(false);
        }
        return Mono.from(proxy(request, response, connection[0])).doFinally(signal -> {
            inFlight.decrementAndGet();
            ConnectionAges.requestEnded(connection[0]);
        });
    }

    private Publisher<Void> proxy(HttpServerRequest request, HttpServerResponse response, Channel connection) {
        HttpClient client = connector.client().orElse(null);
        if (client == null) {
            unavailable.increment();
            String reason = "connector " + connector.config().name() + " is not ready: " + connector.notReadyReason().orElse("starting");
            return isGrpc(request) ? grpcStatus(response, 14, reason) : plain(response, HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
        }
        X509Certificate peer = connection.attr(HandshakeObserver.PEER_CERTIFICATE).get();
        return client
                .headers(headers -> ForwardedHeaders.request(request.requestHeaders(), headers, request.remoteAddress(), https, peer))
                .request(request.method())
                .uri(request.uri())
                .send((outbound, body) -> body.send(request.receive().retain()))
                .response((upstream, body) -> {
                    if (draining || ConnectionAges.isRetired(connection)) {
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
                    return response.send(body.retain());
                })
                .then()
                .onErrorResume(error -> failed(request, response, error));
    }

    private Mono<Void> failed(HttpServerRequest request, HttpServerResponse response, Throwable error) {
        HttpConnector.Failure failure = connector.failed(error);
        HttpResponseStatus status = HttpResponseStatus.valueOf(failure.status());
        String reason = connector.describe(failure);
        (status == HttpResponseStatus.GATEWAY_TIMEOUT ? gatewayTimeout : badGateway).increment();
        LOG.warn("upstream_failed listener={} connector={} address={} method={} uri={} status={} reason={} error=\"{}\"", listener,
                connector.config().name(), connector.config().address(), request.method(), request.uri(), status.code(), failure.label(),
                error.toString());
        if (response.hasSentHeaders()) {
            return Mono.error(error); // mid-body: all we can do is close, which tells the client the response is incomplete
        }
        if (isGrpc(request)) {
            // gRPC clients read the outcome from grpc-status, not from the HTTP status: 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED
            return grpcStatus(response, status == HttpResponseStatus.GATEWAY_TIMEOUT ? 4 : 14, reason);
        }
        return plain(response, status, reason);
    }

    private static boolean isGrpc(HttpServerRequest request) {
        String type = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.startsWith("application/grpc");
    }

    /** A trailers-only gRPC response: HTTP 200 with the status in the headers and no body. */
    private static Mono<Void> grpcStatus(HttpServerResponse response, int code, String message) {
        return response.status(HttpResponseStatus.OK).header(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                .header("grpc-status", Integer.toString(code))
                .header("grpc-message", java.net.URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"))
                .send();
    }

    private static Mono<Void> plain(HttpServerResponse response, HttpResponseStatus status, String reason) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        return response.status(status).header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .sendByteArray(Mono.just(body)).then();
    }

    /** The TCP connection: an HTTP/2 stream's parent holds the TLS session; an accepted socket's parent is the server socket. */
    private static Channel connectionOf(Channel channel) {
        return channel instanceof io.netty.handler.codec.http2.Http2StreamChannel ? channel.parent() : channel;
    }
}
