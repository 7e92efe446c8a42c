package dev.crossgate.listener;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.LogFields;
import dev.crossgate.admin.RateLimitedWarning;
import dev.crossgate.admin.Stats;
import dev.crossgate.connector.TcpConnector;
import dev.crossgate.tls.SanMatcher;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.util.concurrent.Future;

/**
 * Passthrough: reads the SNI from the client's ClientHello without terminating TLS, picks the connector
 * from {@code sni-routes} (exact names first, then {@code *.} wildcards), and steps aside; the ClientHello
 * bytes it held go on untouched. A name with no route, no SNI at all, or bytes that are not TLS are
 * refused, counted and logged once; the client gets nothing but a closed connection.
 */
final class SniRouter extends AbstractSniHandler<TcpConnector> {

    private static final Logger LOG = LoggerFactory.getLogger("crossgate.handshake");

    /** Fired down the pipeline when the route is known. */
    record Routed(TcpConnector connector, String sni) {
    }

    /** What every connection of one passthrough listener shares: its routes, counters and log limit. */
    static final class Routes {
        private final String listener;
        private final Map<String, TcpConnector> routes;
        private final long timeoutMillis;
        private final LongAdder routed;
        private final LongAdder unknown;
        private final LongAdder notTls;
        private final LongAdder badClientHello;
        private final LongAdder timeout;
        private final RateLimitedWarning warning = new RateLimitedWarning(10);

        Routes(String listener, Map<String, TcpConnector> routes, long timeoutMillis, Stats stats) {
            this.listener = listener;
            this.routes = routes;
            this.timeoutMillis = timeoutMillis;
            String scope = "listener." + listener + ".passthrough.";
            this.routed = stats.counter(scope + "routed");
            this.unknown = stats.counter(scope + "unknown_sni");
            this.notTls = stats.counter(scope + "not_tls");
            this.badClientHello = stats.counter(scope + "bad_client_hello");
            this.timeout = stats.counter(scope + "timeout");
        }
    }

    private final Routes shared;
    private final String listener;
    /** The decoder may run the lookup again on the held bytes while the close is under way: refuse once. */
    private boolean refused;

    SniRouter(Routes shared) {
        super(shared.timeoutMillis);
        this.shared = shared;
        this.listener = shared.listener;
    }

    static TcpConnector route(Map<String, TcpConnector> routes, String sni) {
        if (sni == null) {
            return null;
        }
        TcpConnector exact = routes.get(sni.toLowerCase(java.util.Locale.ROOT));
        if (exact != null) {
            return exact;
        }
        return routes.entrySet().stream().filter(e -> e.getKey().startsWith("*.") && SanMatcher.dnsMatches(e.getKey(), sni))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** The first byte of every TLS connection is a handshake record (22); Netty's parser would take anything else for "no SNI". */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        if (!refused && message instanceof io.netty.buffer.ByteBuf bytes && bytes.isReadable() && bytes.getUnsignedByte(bytes.readerIndex()) != 22) {
            refused = true;
            shared.notTls.increment();
            if (shared.warning.due()) {
                LOG.warn("passthrough_refused listener={} peer={} reason=not_tls detail=\"the first bytes are not a TLS handshake record\"{}",
                        listener, peer(ctx), shared.warning.leftOut());
            }
            bytes.release();
            ctx.close();
            return;
        }
        super.channelRead(ctx, message);
    }

    private static String peer(ChannelHandlerContext ctx) {
        return LogFields.peer(ctx.channel().remoteAddress());
    }

    @Override
    protected Future<TcpConnector> lookup(ChannelHandlerContext ctx, String hostname) {
        TcpConnector connector = route(shared.routes, hostname);
        return connector == null
                ? ctx.executor().newFailedFuture(new IllegalArgumentException(hostname == null ? "no SNI in the ClientHello" : "no route for SNI " + hostname))
                : ctx.executor().newSucceededFuture(connector);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<TcpConnector> future) {
        if (!future.isSuccess()) {
            if (refused) {
                return;
            }
            refused = true;
            shared.unknown.increment();
            if (shared.warning.due()) {
                LOG.warn("passthrough_refused listener={} peer={} sni={} reason=unknown_sni detail=\"{}; routes: {}\"{}", listener,
                        peer(ctx), hostname == null ? "-" : hostname, future.cause().getMessage(), shared.routes.keySet(),
                        shared.warning.leftOut());
            }
            ctx.close();
            return;
        }
        shared.routed.increment();
        ctx.fireUserEventTriggered(new Routed(future.getNow(), hostname));
        ctx.pipeline().remove(this); // hands the ClientHello it held to the next handler, unchanged
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refused) {
            return;
        }
        refused = true;
        String reason = "bad_client_hello";
        LongAdder counter = shared.badClientHello;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                reason = "not_tls";
                counter = shared.notTls;
            } else if (t instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
                reason = "timeout";
                counter = shared.timeout;
            }
        }
        counter.increment();
        if (shared.warning.due()) {
            LOG.warn("passthrough_refused listener={} peer={} reason={} detail=\"{}\"{}", listener, peer(ctx), reason, cause.getMessage(),
                    shared.warning.leftOut());
        }
        ctx.close();
    }
}
