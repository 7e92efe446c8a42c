package dev.crossgate.listener;

import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.LogFields;
import dev.crossgate.admin.RateLimitedWarning;
import dev.crossgate.admin.Stats;
import dev.crossgate.config.ListenerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import reactor.netty.NettyPipeline;

/**
 * What an HTTP listener refuses below the proxy, each counted under its own name and logged at most once a second:
 * HTTP/1.1 requests whose headers break {@code http.max-header-size} (431) or whose request line is too long (414),
 * requests whose headers take longer than {@code http.header-timeout} from their first byte (slowloris), and every
 * HTTP/2 connection the server ends with an error GOAWAY (rapid reset and frame floods are ENHANCE_YOUR_CALM).
 * One instance per listener; {@link #watch} gives each connection its own small clock once its protocol is known.
 */
final class HttpGuards {

    private static final Logger LOG = LoggerFactory.getLogger("crossgate.limits");
    private static final String CLOCK = "crossgate.header-clock";
    private static final String REQUESTS = "crossgate.header-requests";
    private static final String WATCH = "crossgate.protocol-watch";

    private final String listener;
    private final Setup setup;
    private final String scope;
    private final Stats stats;
    private final long headerTimeoutNanos;
    private final LongAdder headersTooLarge;
    private final LongAdder uriTooLong;
    private final LongAdder headerTimeouts;
    private final RateLimitedWarning refusalWarning = new RateLimitedWarning();
    private final RateLimitedWarning timeoutWarning = new RateLimitedWarning();
    private final RateLimitedWarning goAwayWarning = new RateLimitedWarning();

    /**
     * What a listener adds to a connection once its protocol is known (at accept in plaintext, after ALPN over TLS), before
     * the guards take their places.
     */
    interface Setup {
        /** An HTTP/1.1 connection: the name of the handler its requests now reach, or null to leave it as Reactor Netty built it. */
        String http1(ChannelPipeline pipeline);

        void http2(ChannelPipeline pipeline);
    }

    HttpGuards(ListenerConfig config, Stats stats, Setup setup) {
        this.setup = setup;
        this.listener = config.name();
        this.scope = "listener." + config.name() + ".";
        this.stats = stats;
        this.headerTimeoutNanos = config.limits().headerTimeout().toNanos();
        this.headersTooLarge = stats.counter(scope + "http.431");
        this.uriTooLong = stats.counter(scope + "http.414");
        this.headerTimeouts = stats.counter(scope + "http.header_timeout");
        stats.counter(scope + "http2.goaway." + goAwayName(Http2Error.ENHANCE_YOUR_CALM));
        stats.counter(scope + "http2.goaway." + goAwayName(Http2Error.PROTOCOL_ERROR));
    }

    /**
     * Called for every admitted connection at accept. A plaintext connection speaks HTTP/1.1 already (until an h2c
     * upgrade, which the clock notices); over TLS the protocol is known only once ALPN has configured the pipeline.
     */
    void watch(Channel connection) {
        ChannelPipeline pipeline = connection.pipeline();
        ChannelHandlerContext tls = pipeline.context(NettyPipeline.SslHandler); // the SNI handler until the ClientHello, then TLS
        if (tls == null) {
            configured(connection);
        } else {
            pipeline.addAfter(tls.name(), WATCH, new AfterHandshake()); // ahead of the ALPN handler, to see the event first
        }
    }

    /** The pipeline now has its protocol's handlers: the listener's setup, then guard HTTP/1.1 requests or count HTTP/2 GOAWAYs. */
    private void configured(Channel connection) {
        ChannelPipeline pipeline = connection.pipeline();
        if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null && pipeline.get(HttpServerCodec.class) != null) {
            String requestHandler = setup.http1(pipeline);
            if (requestHandler == null) {
                requestHandler = NettyPipeline.HttpTrafficHandler;
            }
            if (pipeline.get(CLOCK) == null) {
                HeaderClock clock = new HeaderClock();
                ChannelHandlerContext tls = pipeline.context(SslHandler.class);
                if (tls != null) {
                    pipeline.addAfter(tls.name(), CLOCK, clock.bytes);
                } else {
                    pipeline.addFirst(CLOCK, clock.bytes);
                }
                pipeline.addBefore(requestHandler, REQUESTS, clock.requests);
            }
            return;
        }
        Http2ConnectionHandler http2 = pipeline.get(Http2ConnectionHandler.class);
        if (http2 != null) {
            setup.http2(pipeline);
            http2.connection().addListener(new GoAwayCounter(connection));
            pipeline.addLast("crossgate.http2-errors", HTTP2_ERRORS_COUNTED);
        }
    }

    /** Lets the ALPN handler configure the pipeline (it acts on the same event), then looks at what it built. */
    private final class AfterHandshake extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent completion) {
                ctx.fireUserEventTriggered(event);
                ctx.pipeline().remove(this);
                if (completion.isSuccess() && ctx.channel().isActive()) {
                    configured(ctx.channel());
                }
                return;
            }
            super.userEventTriggered(ctx, event);
        }
    }

    /**
     * One connection's HTTP/1.1 request clock: started by the first byte of a request, stopped when the request's
     * headers are decoded. One timer at most per connection, re-armed only when a request outlives it.
     */
    private final class HeaderClock {
        /** When the first byte of the request now being read arrived; 0 between requests. */
        private long startedNanos;
        private ScheduledFuture<?> timer;
        private ChannelHandlerContext context;

        final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                context = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
                if (startedNanos == 0 && message instanceof ByteBuf buffer && buffer.isReadable()) {
                    startedNanos = System.nanoTime();
                    if (timer == null) {
                        arm(headerTimeoutNanos);
                    }
                }
                ctx.fireChannelRead(message);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stop();
                ctx.fireChannelInactive();
            }
        };

        final ChannelInboundHandlerAdapter requests = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
                if (message instanceof HttpRequest request) {
                    startedNanos = 0; // the headers are in; the body has the proxy's own timeouts
                    refused(ctx, request.decoderResult());
                }
                ctx.fireChannelRead(message);
            }
        };

        private void arm(long delayNanos) {
            timer = context.executor().schedule(this::expired, delayNanos, TimeUnit.NANOSECONDS);
        }

        private void expired() {
            timer = null;
            Channel connection = context.channel();
            if (!connection.isActive()) {
                return;
            }
            if (connection.pipeline().get(HttpServerCodec.class) == null) {
                // upgraded to h2c: HTTP/2 has no request line to wait for; count its GOAWAYs instead
                connection.pipeline().remove(bytes);
                connection.pipeline().remove(requests);
                configured(connection);
                return;
            }
            if (startedNanos == 0) {
                return; // between requests: the idle timeout is in charge
            }
            long waited = System.nanoTime() - startedNanos;
            if (waited < headerTimeoutNanos) {
                arm(headerTimeoutNanos - waited); // a later request started meanwhile
                return;
            }
            headerTimeouts.increment();
            if (timeoutWarning.due()) {
                LOG.warn("http_refused listener={} peer={} reason=header_timeout detail=\"request headers not complete {} ms after their "
                        + "first byte ({}); the connection is closed\"{}", listener, peer(connection), TimeUnit.NANOSECONDS.toMillis(waited),
                        ListenerConfig.PREFIX + listener + ".http.header-timeout", timeoutWarning.leftOut());
            }
            connection.close();
        }

        private void stop() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** Reactor Netty answers a request its decoder refused (431, 414, 400); this names the limit that refused it. */
    private void refused(ChannelHandlerContext ctx, DecoderResult result) {
        if (!result.isFailure()) {
            return;
        }
        Throwable cause = result.cause();
        String reason;
        String setting;
        if (cause instanceof TooLongHttpHeaderException) {
            headersTooLarge.increment();
            reason = "headers_too_large";
            setting = "http.max-header-size";
        } else if (cause instanceof TooLongHttpLineException) {
            uriTooLong.increment();
            reason = "uri_too_long";
            setting = "(the request line limit, 4096 bytes)";
        } else {
            return;
        }
        if (refusalWarning.due()) {
            LOG.warn("http_refused listener={} peer={} reason={} detail=\"{}\" setting={}{}", listener, peer(ctx.channel()), reason,
                    cause.getMessage(), ListenerConfig.PREFIX + listener + "." + setting, refusalWarning.leftOut());
        }
    }

    /** Counts each GOAWAY with an error this server sends: what the connection did wrong, by HTTP/2's own name. */
    private final class GoAwayCounter extends Http2ConnectionAdapter {
        private final Channel connection;

        GoAwayCounter(Channel connection) {
            this.connection = connection;
        }

        @Override
        public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
            Http2Error error = Http2Error.valueOf(errorCode);
            if (error == Http2Error.NO_ERROR) {
                return; // a graceful close, not a refusal
            }
            if (peerGone(connection)) {
                return;
            }
            String name = error == null ? "code_" + errorCode : goAwayName(error);
            stats.counter(scope + "http2.goaway." + name).increment();
            if (goAwayWarning.due()) {
                LOG.warn("http2_goaway listener={} peer={} error={} detail=\"{}\"{}", listener, peer(connection), name,
                        debugData == null ? "" : debugData.toString(java.nio.charset.StandardCharsets.UTF_8).replace('"', '\''),
                        goAwayWarning.leftOut());
            }
        }
    }

    /**
     * A write failed because the client has gone (a broken pipe closes the connection; a TLS session the client closed
     * cannot take another record): the codec answers that with a GOAWAY INTERNAL_ERROR which cannot reach anyone and
     * refuses nothing, so it is not counted.
     */
    private boolean peerGone(Channel connection) {
        if (!connection.isActive()) {
            return true;
        }
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        return tls != null && tls.engine().isOutboundDone();
    }

    /**
     * The HTTP/2 codec also passes the connection error behind its GOAWAY down the pipeline; counted and logged already,
     * it would otherwise reach Netty's tail, which logs every one of a flood with a stack trace.
     */
    private static final ChannelInboundHandlerAdapter HTTP2_ERRORS_COUNTED = new Http2ErrorsCounted();

    @io.netty.channel.ChannelHandler.Sharable
    private static final class Http2ErrorsCounted extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof io.netty.handler.codec.http2.Http2Exception)) {
                ctx.fireExceptionCaught(cause);
            }
        }
    }

    private static String goAwayName(Http2Error error) {
        return error.name().toLowerCase(Locale.ROOT);
    }

    private static String peer(Channel connection) {
        return LogFields.peer(connection.remoteAddress());
    }
}
