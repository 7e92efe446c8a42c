package dev.crossgate.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.LogFields;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;

/**
 * Sits behind the TLS handler of every connection, listener or connector side, and turns the
 * handshake's outcome into Envoy's counters and, for a failure, exactly one log line with the peer,
 * the SNI and the reason. The peer never hears more than the TLS alert.
 */
public final class HandshakeObserver extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger("crossgate.handshake");
    /** The verified peer certificate of a connection, for {@code x-forwarded-client-cert}. */
    public static final AttributeKey<X509Certificate> PEER_CERTIFICATE = AttributeKey.valueOf("crossgate.peer-certificate");

    private final TlsStats stats;
    private final String role;
    private String sni;
    /** The handshake's outcome is counted: nothing more to count on this connection. */
    private boolean decided;
    /** The peer sent something, so a close now is a broken handshake, not a port probe; a connector's peer always counts. */
    private boolean bytesSeen = true;

    /** @param role "listener" or "connector", for the log line */
    public HandshakeObserver(TlsStats stats, String role) {
        this.stats = stats;
        this.role = role;
    }

    /**
     * On a listener, also notes at the head of the pipeline whether the client sent any byte, so that a connection
     * closed in the middle of its ClientHello is counted while a bare TCP probe (a load balancer's health check) is not.
     */
    public HandshakeObserver watchFirstBytes(io.netty.channel.ChannelPipeline pipeline) {
        bytesSeen = false;
        pipeline.addFirst("crossgate.handshake-bytes", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                bytesSeen = true;
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(message);
            }
        });
        return this;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SniCompletionEvent sniEvent) {
            sni = sniEvent.hostname();
            if (!sniEvent.isSuccess() && !decided) {
                // no context for this handshake (none loaded yet): there will be no handshake completion event
                failed(ctx.channel(), sniEvent.cause());
            }
        } else if (event instanceof SslHandshakeCompletionEvent completion && !decided) {
            if (completion.isSuccess()) {
                decided = true;
                succeeded(ctx.channel());
                ctx.pipeline().remove(this);
            } else {
                failed(ctx.channel(), completion.cause());
            }
        }
        super.userEventTriggered(ctx, event);
    }

    /**
     * A failed handshake's exception follows its completion event; counted and logged once already, it goes no further
     * (the ALPN handler behind would log it again with a stack trace, once per scanner connection). An exception before
     * any outcome (the SNI reader's timeout, a ClientHello it cannot parse) is the outcome.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!decided) {
            failed(ctx.channel(), cause);
        }
        ctx.close();
    }

    /**
     * Reactor Netty's TLS reader, which sits behind this observer, fires a failed handshake again as an exception; placed
     * behind that reader, this ends it there, counted and logged once already, instead of at the ALPN handler's stack trace.
     */
    public static final ChannelInboundHandlerAdapter FAILED_HANDSHAKES_COUNTED = new FailedHandshakesCounted();

    @io.netty.channel.ChannelHandler.Sharable
    private static final class FailedHandshakesCounted extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof javax.net.ssl.SSLException) {
                    ctx.close();
                    return;
                }
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!decided && bytesSeen) {
            failed(ctx.channel(), HandshakeFailure.CLOSED_MID_HANDSHAKE, null);
        }
        super.channelInactive(ctx);
    }

    private void succeeded(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        SSLEngine engine = handler == null ? null : handler.engine();
        Optional<SSLSession> session = engine == null ? Optional.empty() : Optional.ofNullable(engine.getSession());
        X509Certificate peer = engine != null && peerMayPresent(engine) ? session.flatMap(HandshakeObserver::peerCertificate).orElse(null) : null;
        if (peer != null) {
            channel.attr(PEER_CERTIFICATE).set(peer);
        }
        stats.handshake(session.map(SSLSession::getProtocol).orElse("unknown"), session.map(SSLSession::getCipherSuite).orElse("unknown"),
                peer != null, sessionReused(channel));
    }

    private void failed(Channel channel, Throwable cause) {
        failed(channel, HandshakeFailure.classify(cause), cause);
    }

    /** @param cause what TLS reported, or null when the outcome is known without it */
    private void failed(Channel channel, HandshakeFailure reason, Throwable cause) {
        decided = true;
        stats.failure(reason);
        if (stats.failureLog.due()) {
            LOG.warn("handshake_failed {}={} peer={} sni={} reason={} detail=\"{}\"{}", role, stats.name(), LogFields.peer(channel.remoteAddress()),
                    sni == null ? "-" : sni, reason.label(), detail(reason, cause), stats.failureLog.leftOut());
        }
    }

    private static String detail(HandshakeFailure reason, Throwable cause) {
        if (cause == null) {
            return reason.description();
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof PeerRejection rejection) {
                return rejection.getMessage();
            }
        }
        return reason.description() + " (" + HandshakeFailure.messages(cause).replace('"', '\'') + ")";
    }

    /** BoringSSL knows whether the handshake resumed a session; the JDK provider has no way to say, so it counts none. */
    private static boolean sessionReused(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler != null && handler.engine() instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine engine) {
            synchronized (engine) {
                long ssl = engine.sslPointer();
                return ssl != 0 && io.netty.internal.tcnative.SSL.isSessionReused(ssl);
            }
        }
        return false;
    }

    /** A server that asked for no client certificate has none to read, and asking would cost an exception per handshake. */
    private static boolean peerMayPresent(SSLEngine engine) {
        return engine.getUseClientMode() || engine.getNeedClientAuth() || engine.getWantClientAuth();
    }

    private static Optional<X509Certificate> peerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? Optional.of(x509) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
