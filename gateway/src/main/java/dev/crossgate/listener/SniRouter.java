package dev.crossgate.listener;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private final String listener;
    private final Map<String, TcpConnector> routes;
    private final LongAdder routed;
    private final LongAdder unknown;
    private final LongAdder notTls;
    /** The decoder may run the lookup again on the held bytes while the close is under way: refuse once. */
    private boolean refused;

    SniRouter(String listener, Map<String, TcpConnector> routes, long timeoutMillis, Stats stats) {
        super(timeoutMillis);
        this.listener = listener;
        this.routes = routes;
        String scope = "listener." + listener + ".passthrough.";
        this.routed = stats.counter(scope + "routed");
        this.unknown = stats.counter(scope + "unknown_sni");
        this.notTls = stats.counter(scope + "not_tls");
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
            notTls.increment();
            LOG.warn("passthrough_refused listener={} peer={} reason=not_tls detail=\"the first bytes are not a TLS handshake record\"",
                    listener, peer(ctx));
            bytes.release();
            ctx.close();
            return;
        }
        super.channelRead(ctx, message);
    }

    private static String peer(ChannelHandlerContext ctx) {
        return String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", "");
    }

    @Override
    protected Future<TcpConnector> lookup(ChannelHandlerContext ctx, String hostname) {
        TcpConnector connector = route(routes, hostname);
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
            unknown.increment();
            LOG.warn("passthrough_refused listener={} peer={} sni={} reason=unknown_sni detail=\"{}; routes: {}\"", listener,
                    peer(ctx), hostname == null ? "-" : hostname, future.cause().getMessage(), routes.keySet());
            ctx.close();
            return;
        }
        routed.increment();
        ctx.fireUserEventTriggered(new Routed(future.getNow(), hostname));
        ctx.pipeline().remove(this); // hands the ClientHello it held to the next handler, unchanged
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refused) {
            return;
        }
        refused = true;
        boolean garbage = false;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            garbage |= t instanceof NotSslRecordException;
        }
        if (garbage) {
            notTls.increment();
        }
        LOG.warn("passthrough_refused listener={} peer={} reason={} detail=\"{}\"", listener, peer(ctx),
                garbage ? "not_tls" : "bad_client_hello", cause.getMessage());
        ctx.close();
    }
}
