package dev.crossgate.listener;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import dev.crossgate.connector.HttpConnector;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.Future;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import reactor.netty.NettyPipeline;

/**
 * Forwards the requests of one HTTP/1.1 client connection, or of one HTTP/2 stream, to HTTP/1.1 connections borrowed from
 * the connector's pool on the client's event loop. Requests and responses travel as Netty's HTTP message objects (an
 * HTTP/2 stream's frames are turned into the same objects by {@link Http2Streams}), so an exchange costs no per-request
 * subscriptions, no pipeline changes and no auto-read toggling. Bodies stream both ways; a side that cannot take more
 * stops the other side's reads until it can (on a stream, by HTTP/2 flow control). On an HTTP/1.1 connection, requests
 * pipelined behind one in flight wait, in order, with reading paused, and one clock covers the backend's answer
 * ({@code connectors.*.response-timeout}) and the idle keep-alive connection ({@code listeners.*.idle-timeout}); a stream
 * carries one exchange, its clock covers the answer, and the idle connection is the HTTP/2 connection's business.
 */
final class HttpForwarder extends ChannelInboundHandlerAdapter {

    static final String NAME = "crossgate.http1";
    private static final AsciiString STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
    private static final AsciiString SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();

    private final HttpProxy proxy;
    private final HttpConnector connector;
    /** Forwarding one HTTP/2 stream, whose parent is the TCP connection, rather than an HTTP/1.1 connection. */
    private final boolean stream;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    /** The clock never sleeps longer than this, so an exchange that starts on an idle connection is timed from its start. */
    private final long clockPeriodNanos;

    /** Where the requests come from and the responses go: the HTTP/1.1 connection, or one HTTP/2 stream. */
    private Client client;
    /** The TCP connection: the channel itself, or a stream's parent, which holds the TLS session and the connection's age. */
    private Channel connection;
    /** Messages of requests that arrived while one was in flight; reading is paused while any wait. Made at first use. */
    private ArrayDeque<Object> pipelined;

    // the exchange in flight, at most one
    private boolean active;
    private HttpMethod method;
    private String uri;
    private HttpVersion version;
    private ConnectionAges.Age age;
    private boolean keepAlive;
    private boolean requestComplete;
    private boolean discardingBody;
    private boolean responseStarted;
    /** A gRPC request (on a stream): the gateway's own answers carry the outcome in grpc-status, where gRPC clients look. */
    private boolean grpc;
    private boolean backendReusable;
    private Channel backend;
    /** The last handler of {@code backend}, which passes its reads here while it is lent. */
    private Backend lent;
    /** Request messages read before the backend connection was there. */
    private ArrayDeque<Object> waiting;
    /** The backend connection being dialled, or waited for while all are in use. */
    private Future<Channel> connecting;
    private boolean backendWritten;
    private boolean clientWritten;

    // the clock
    private ScheduledFuture<?> clock;
    private long lastActivityNanos;

    /**
     * Takes an HTTP/1.1 connection over from Reactor Netty, whose codec stays: returns the name its requests now reach, or
     * null for a plaintext connection that may still upgrade to h2c, which stays with Reactor Netty.
     */
    static String takeOver(ChannelPipeline pipeline, HttpForwarder forwarder) {
        if (pipeline.get(NettyPipeline.H2CUpgradeHandler) != null) {
            return null;
        }
        pipeline.replace(NettyPipeline.HttpTrafficHandler, NAME, forwarder);
        for (String reactor : new String[] {NettyPipeline.ReactiveBridge, NettyPipeline.IdleTimeoutHandler}) {
            if (pipeline.get(reactor) != null) {
                pipeline.remove(reactor); // Reactor Netty's per-request machinery and idle clock: the forwarder has its own
            }
        }
        return NAME;
    }

    /** The forwarder of one HTTP/1.1 connection. */
    HttpForwarder(HttpProxy proxy, long responseTimeoutNanos, long idleTimeoutNanos) {
        this(proxy, false, responseTimeoutNanos, idleTimeoutNanos);
    }

    /** The forwarder of one HTTP/2 stream. */
    static HttpForwarder forStream(HttpProxy proxy, long responseTimeoutNanos) {
        return new HttpForwarder(proxy, true, responseTimeoutNanos, Long.MAX_VALUE);
    }

    private HttpForwarder(HttpProxy proxy, boolean stream, long responseTimeoutNanos, long idleTimeoutNanos) {
        this.proxy = proxy;
        this.connector = proxy.connector();
        this.stream = stream;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.clockPeriodNanos = Math.max(Math.min(responseTimeoutNanos, idleTimeoutNanos), TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        attach(new ConnectionClient(ctx));
        armClock(idleTimeoutNanos);
        // Reactor Netty accepts with auto-read off and reads on demand; here reading pauses only for back-pressure and pipelining
        client.reading(true);
    }

    /** Starts forwarding what {@code client} sends: an HTTP/1.1 connection's handler, or an HTTP/2 stream's. */
    void attach(Client client) {
        this.client = client;
        this.connection = client.connection();
        lastActivityNanos = System.nanoTime();
    }

    // ---- from the client

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        read(message);
    }

    void read(Object message) {
        if (hasPipelined() || awaitingResponse()) {
            if (pipelined == null) {
                pipelined = new ArrayDeque<>();
            }
            pipelined.add(message); // a request pipelined behind the one in flight
            client.reading(false);
            return;
        }
        fromClient(message);
    }

    private boolean hasPipelined() {
        return pipelined != null && !pipelined.isEmpty();
    }

    /** The request in flight has been read whole: what the client sends now belongs to the next one. */
    private boolean awaitingResponse() {
        return active && requestComplete;
    }

    private void fromClient(Object message) {
        if (message instanceof FullHttpRequest whole) {
            // an HTTP/2 request that ended with its headers: what goes on to the backend is its headers, then its end
            start(whole);
            whole.release(); // an empty body, from Netty's codec
            body(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        if (message instanceof HttpRequest request) {
            start(request);
        }
        if (message instanceof HttpContent content) {
            body(content);
        } else if (!(message instanceof HttpRequest)) {
            ReferenceCountUtil.release(message);
        }
    }

    private void start(HttpRequest request) {
        if (refusedByDecoder(request)) {
            return;
        }
        active = true;
        method = request.method();
        uri = request.uri();
        version = request.protocolVersion();
        age = proxy.started(connection);
        keepAlive = !stream && HttpUtil.isKeepAlive(request) && !proxy.closing(age);
        requestComplete = request instanceof LastHttpContent; // an HTTP/2 request may end with its headers
        discardingBody = false;
        responseStarted = false;
        lastActivityNanos = System.nanoTime();
        if (stream) {
            HttpHeaders received = request.headers();
            received.remove(STREAM_ID).remove(SCHEME); // the codec's notes on the HTTP/2 stream, not the client's headers
            grpc = HttpProxy.isGrpc(received);
            if (clock == null) {
                armClock(responseTimeoutNanos);
            }
        }

        String tooMany = proxy.tooManyHeaders(request.headers(), connection.remoteAddress());
        if (tooMany != null) {
            keepAlive = false;
            answer(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, tooMany);
            return;
        }
        if (!connector.admit()) {
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, proxy.notReady());
            return;
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HttpHeaders headers = request.headers(); // passed on, edited in place: the client's message is not used again
        ForwardedHeaders.request(headers, (InetSocketAddress) connection.remoteAddress(), proxy.https(),
                ForwardedHeaders.clientCertificate(connection));
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, connector.config().address()); // an HTTP/1.0 client may send none; HTTP/1.1 needs one
        }
        DefaultHttpRequest outbound = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(outbound, true); // the length is not known: the body goes on in chunks
        }
        EventLoop loop = connection.eventLoop();
        Channel idle = connector.http1().lend(loop); // ready: admit() said so
        if (idle != null) {
            bind(idle);
            write(outbound);
            return;
        }
        Future<Channel> connecting = connector.http1().connect(loop, Backend::new);
        if (connecting.isDone() && !connecting.isSuccess()) {
            failed(connecting.cause());
            return;
        }
        waiting = new ArrayDeque<>();
        waiting.add(outbound);
        this.connecting = connecting;
        client.reading(false); // the request's body waits in the client's socket (or its stream's window), not here
        connecting.addListener(connected -> connected(connecting, outbound));
    }

    private void connected(Future<Channel> connected, Object outbound) {
        ArrayDeque<Object> messages = waiting;
        waiting = null;
        connecting = null;
        if (!active || messages == null || messages.peekFirst() != outbound) {
            release(messages); // the client left meanwhile
            if (connected.isSuccess()) {
                connector.http1().release(connected.getNow()); // unused: the next request takes it
            }
            return;
        }
        if (!connected.isSuccess()) {
            release(messages);
            failed(connected.cause());
            return;
        }
        bind(connected.getNow());
        for (Object message : messages) {
            write(message);
        }
        flushBackend();
        if (!requestComplete || !hasPipelined()) {
            client.reading(true);
        }
    }

    private void bind(Channel channel) {
        backend = channel;
        lent = channel.pipeline().get(Backend.class);
        lent.owner = this;
        backendReusable = true;
        backend.config().setAutoRead(true);
    }

    private void body(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release(); // a broken chunked body: where the next request starts cannot be told
            client.close();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (discardingBody || !active) {
            content.release();
            if (last && active) {
                requestComplete = true; // our own answer has gone out already: the exchange is over
                finish();
            }
            return;
        }
        if (last) {
            requestComplete = true;
        }
        if (waiting != null) {
            waiting.add(content);
            return;
        }
        write(content);
    }

    private void write(Object message) {
        lastActivityNanos = System.nanoTime();
        backend.write(message, backend.voidPromise());
        backendWritten = true;
        if (!backend.isWritable()) {
            client.reading(false); // resumed by the backend's writability change
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readComplete();
        ctx.fireChannelReadComplete();
    }

    /** The client's messages of one read have all been passed to {@link #read}. */
    void readComplete() {
        flushBackend();
    }

    private void flushBackend() {
        if (backendWritten) {
            backendWritten = false;
            if (backend != null) {
                backend.flush();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    void writabilityChanged() {
        if (backend != null && backend.isActive()) {
            backend.config().setAutoRead(client.isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive();
        ctx.fireChannelInactive();
    }

    /** The client is gone: its connection closed, or its stream ended or was reset. */
    void inactive() {
        stopClock();
        release(pipelined);
        release(waiting);
        waiting = null;
        if (connecting != null) {
            connecting.cancel(false); // stops a wait for a connection; one being dialled goes to the next request
        }
        if (active) {
            proxy.clientGone(method.name(), uri, "connection closed");
            if (backend != null) {
                Channel abandoned = backend;
                unbindBackend(); // the backend did no wrong: its close is not a failure of the exchange
                abandoned.close(); // mid-exchange: the connection cannot serve another
            }
            end();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // TLS and decoding failures are counted where they happen; what is left ends this connection
    }

    /** The answers Reactor Netty gives requests the decoder refused: 431, 414, else 400; HttpGuards has counted and logged them. */
    private boolean refusedByDecoder(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (!result.isFailure()) {
            return false;
        }
        HttpResponseStatus status = result.cause() instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : result.cause() instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.BAD_REQUEST;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        client.reading(false);
        client.write(response);
        client.closeAfterWrites();
        return true;
    }

    // ---- from the backend

    private void fromBackend(Object message) {
        lastActivityNanos = System.nanoTime();
        if (message instanceof HttpResponse response) {
            respond(response);
        }
        if (message instanceof HttpContent content) {
            if (!responseStarted) {
                content.release(); // the end of an informational response, which went out whole
                return;
            }
            client.write(content);
            clientWritten = true;
            if (content instanceof LastHttpContent) {
                responseComplete();
                return;
            }
            if (!client.isWritable()) {
                backend.config().setAutoRead(false); // resumed by the client's writability change
            }
        } else if (!(message instanceof HttpResponse)) {
            ReferenceCountUtil.release(message);
        }
    }

    private void respond(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            failed(response.decoderResult().cause());
            return;
        }
        HttpResponseStatus status = response.status();
        boolean reusable = HttpUtil.isKeepAlive(response);
        HttpHeaders headers = response.headers(); // passed on, edited in place
        ForwardedHeaders.dropHopByHop(headers);
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
            // 100 Continue and the like: passed on whole, then the real response; on a stream only 100 (101 has no HTTP/2 form)
            if (!stream || status.code() == HttpResponseStatus.CONTINUE.code()) {
                client.write(new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE));
                clientWritten = true;
            }
            return;
        }
        HttpResponse outbound = new DefaultHttpResponse(version, status, headers);
        responseStarted = true;
        backendReusable = reusable;
        boolean bodyless = method == HttpMethod.HEAD || status.code() == 204 || status.code() == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (version == HttpVersion.HTTP_1_0) {
                keepAlive = false; // an HTTP/1.0 client learns where such a body ends from the close
            } else {
                HttpUtil.setTransferEncodingChunked(outbound, true);
            }
        }
        if (proxy.closing(age)) {
            keepAlive = false; // retired or draining while this request was in flight: say so before closing
        }
        connectionHeader(headers);
        client.write(outbound);
        clientWritten = true;
    }

    private void backendReadComplete() {
        if (clientWritten) {
            clientWritten = false;
            client.flush();
        }
    }

    private void responseComplete() {
        backendReadComplete(); // the backend is given back before its read completes: the response goes out now
        Channel used = backend;
        unbindBackend();
        if (requestComplete && backendReusable) {
            connector.http1().release(used);
        } else {
            used.close(); // the request was still being sent, or the backend said close
        }
        if (!requestComplete) {
            keepAlive = false; // the rest of the request cannot be told from the next one
        }
        finish();
    }

    /** The backend failed the exchange: the client gets the reason if nothing of the response has gone out, else a close. */
    private void failed(Throwable error) {
        HttpProxy.Refusal refusal = proxy.upstreamFailed(method.name(), uri, error);
        if (backend != null) {
            Channel failedBackend = backend;
            unbindBackend();
            failedBackend.close();
        }
        if (responseStarted) {
            end(); // the exchange failed here: the close that follows is not the client leaving
            client.flush();
            client.close(); // mid-body: the close (a stream's reset) tells the client the response is incomplete
            return;
        }
        answer(refusal.status(), refusal.reason());
    }

    private void unbindBackend() {
        lent.owner = null;
        lent = null;
        backend = null;
    }

    /** The gateway's own answer to the request in flight; the rest of its body, if any, is read and dropped. */
    private void answer(HttpResponseStatus status, String reason) {
        FullHttpResponse response;
        if (grpc && status != HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE) {
            response = new DefaultFullHttpResponse(version, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER); // trailers-only
            HttpProxy.grpcOutcome(response.headers(), status, reason);
        } else {
            byte[] body = HttpProxy.plainBody(status, reason);
            response = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpProxy.PLAIN_TEXT).set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        connectionHeader(response.headers());
        client.write(response);
        client.flush();
        responseStarted = true;
        discardingBody = true;
        release(waiting);
        waiting = null;
        if (requestComplete || !keepAlive) {
            finish();
        }
        if (!requestComplete) {
            // the rest of the body is read, to be dropped: reading may be off while the request waited for a connection
            client.reading(true);
        }
    }

    /** Tells the client whether its connection stays open after this response, in its HTTP version's terms. */
    private void connectionHeader(HttpHeaders headers) {
        if (stream) {
            return; // HTTP/2 has no Connection header: the stream ends, the connection stays
        }
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version == HttpVersion.HTTP_1_0) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Request and response are both complete (or the connection is to close): the next request, or the close. */
    private void finish() {
        end();
        if (stream) {
            // the rest of a request answered early is read and dropped: RFC 9113 8.1 would allow RST_STREAM(NO_ERROR) here,
            // but curl 7.88 reports that as a failed transfer
            return;
        }
        if (!keepAlive) {
            client.closeAfterWrites();
            return;
        }
        while (hasPipelined() && !awaitingResponse()) {
            fromClient(pipelined.poll());
        }
        flushBackend(); // a pipelined request taken up here has no read of its own to end with a flush
        if (!hasPipelined() && waiting == null) {
            client.reading(true);
        }
    }

    private void end() {
        if (active) {
            active = false;
            lastActivityNanos = System.nanoTime();
            proxy.ended(connection, age);
            if (stream) {
                stopClock(); // a stream carries one exchange: nothing is left to time
            }
        }
    }

    // ---- the clock

    private void armClock(long delayNanos) {
        clock = connection.eventLoop().schedule(this::tick, Math.min(delayNanos, clockPeriodNanos), TimeUnit.NANOSECONDS);
    }

    private void stopClock() {
        if (clock != null) {
            clock.cancel(false);
            clock = null;
        }
    }

    /** Fires at the earliest moment either timeout could have run out; re-arms for what is left. */
    private void tick() {
        clock = null;
        if (!client.isActive()) {
            return;
        }
        long waited = System.nanoTime() - lastActivityNanos;
        if (active) {
            if (backend != null && requestComplete && waited >= responseTimeoutNanos) {
                failed(ReadTimeoutException.INSTANCE);
                armClock(idleTimeoutNanos);
                return;
            }
            armClock(Math.max(responseTimeoutNanos - waited, TimeUnit.MILLISECONDS.toNanos(10)));
            return;
        }
        if (stream) {
            return;
        }
        if (waited >= idleTimeoutNanos) {
            client.close();
            return;
        }
        armClock(idleTimeoutNanos - waited);
    }

    private static void release(ArrayDeque<Object> messages) {
        if (messages != null) {
            for (Object message; (message = messages.poll()) != null; ) {
                ReferenceCountUtil.release(message);
            }
        }
    }

    /**
     * The side requests come from and responses go to. An HTTP/1.1 connection is its own client; an HTTP/2 stream is one
     * of {@link Http2Streams}, which turns frames into HTTP objects and back without a channel per stream.
     */
    interface Client {
        /** The TCP connection, which holds the TLS session, the peer's address and the event loop. */
        Channel connection();

        /** Queues a message for the client; {@link #flush()} sends it. */
        void write(HttpObject message);

        void flush();

        /** Reading the client on or off: the request's body waits in the client's socket, or its stream's window. */
        void reading(boolean on);

        boolean isWritable();

        boolean isActive();

        /** Ends at once: the connection closes, a stream is reset. */
        void close();

        /** Ends once what was written has been sent. */
        void closeAfterWrites();
    }

    /** An HTTP/1.1 connection, whose pipeline ends in this forwarder. */
    private record ConnectionClient(ChannelHandlerContext ctx) implements Client {
        @Override
        public Channel connection() {
            return ctx.channel();
        }

        @Override
        public void write(HttpObject message) {
            ctx.write(message, ctx.voidPromise());
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public void reading(boolean on) {
            ctx.channel().config().setAutoRead(on);
        }

        @Override
        public boolean isWritable() {
            return ctx.channel().isWritable();
        }

        @Override
        public boolean isActive() {
            return ctx.channel().isActive();
        }

        @Override
        public void close() {
            ctx.close();
        }

        @Override
        public void closeAfterWrites() {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The last handler of a pooled backend connection: passes what it reads to the client connection it is lent to. */
    static final class Backend extends ChannelInboundHandlerAdapter {
        HttpForwarder owner;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (owner == null) {
                ReferenceCountUtil.release(message); // an idle connection has nothing to say: it cannot be trusted with another exchange
                ctx.close();
                return;
            }
            owner.fromBackend((HttpObject) message);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (owner != null) {
                owner.backendReadComplete();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (owner != null && owner.client.isActive()) {
                owner.client.reading(ctx.channel().isWritable() && !owner.hasPipelined());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess() && owner != null) {
                owner.failed(completion.cause()); // the TLS failure, not the close it ends in, is what the client is told
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (owner != null) {
                owner.failed(new HttpConnector.UpstreamFailure(HttpConnector.Failure.CLOSED_EARLY,
                        "the backend closed the connection before its response was complete"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (owner != null) {
                owner.failed(cause);
            }
            ctx.close();
        }
    }
}
