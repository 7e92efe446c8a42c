package dev.crossgate.connector;

import java.util.function.Consumer;

import dev.crossgate.config.ConnectorConfig;
import dev.crossgate.tls.ClientTls;
import dev.crossgate.tls.HandshakeObserver;
import dev.crossgate.tls.SanMatcher;
import dev.crossgate.tls.TlsStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.resources.LoopResources;

/**
 * Opens one connection to a connector's backend from a given event loop (no thread hop between the two sides), with the
 * connector's newest TLS context: the one way TCP and HTTP/1.1 connectors dial.
 */
final class Dialer {

    private final ConnectorConfig config;
    private final ClientTls tls;
    private final LoopResources loops;
    private final TlsStats tlsStats;

    Dialer(ConnectorConfig config, ClientTls tls, LoopResources loops, TlsStats tlsStats) {
        this.config = config;
        this.tls = tls;
        this.loops = loops;
        this.tlsStats = tlsStats;
    }

    /** The context a connection dialled now gets; null for plaintext. Throws while the connector's material is missing. */
    SslContext context() {
        if (tls == null) {
            return null;
        }
        return tls.current().map(reactor.netty.tcp.SslProvider::getSslContext).orElseThrow(() -> new IllegalStateException(
                "connector " + config.name() + " is not ready: " + tls.notReadyReason().orElse("starting")));
    }

    /**
     * @param relay auto-read off and half-closure allowed (a TCP relay reads on demand); else auto-read on
     * @param handlers adds what follows TLS in the pipeline
     */
    ChannelFuture dial(EventLoop loop, SslContext context, boolean relay, Consumer<ChannelPipeline> handlers) {
        return new Bootstrap().group(loop)
                .channel(loops.onChannelClass(SocketChannel.class, loop))
                .option(ChannelOption.AUTO_READ, !relay)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, relay)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (context != null) {
                            String name = config.tls().serverName();
                            // the host given here becomes the SNI; an IP literal sends none. Names are checked by PeerVerifier.
                            SslHandler ssl = context.newHandler(channel.alloc(), SanMatcher.isIpLiteral(name) ? config.host() : name, config.port());
                            ssl.setHandshakeTimeoutMillis(ClientTls.HANDSHAKE_TIMEOUT.toMillis());
                            channel.pipeline().addLast(ssl, new HandshakeObserver(tlsStats, "connector"));
                        }
                        handlers.accept(channel.pipeline());
                    }
                })
                .connect(config.host(), config.port());
    }
}
