package dev.crossgate.connector;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ConnectorConfig;
import dev.crossgate.tls.ClientTls;
import dev.crossgate.tls.HandshakeObserver;
import dev.crossgate.tls.SanMatcher;
import dev.crossgate.tls.TlsStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.resources.LoopResources;

/** Dials one backend for a TCP listener, one connection per client connection, with the connector's newest TLS context. */
public final class TcpConnector implements AutoCloseable {

    private final ConnectorConfig config;
    private final ClientTls tls;
    private final LoopResources loops;
    private final TlsStats tlsStats;
    final LongAdder connections;
    final LongAdder connectFailures;

    public TcpConnector(ConnectorConfig config, ClientTls tls, LoopResources loops, Stats stats) {
        this.config = config;
        this.tls = tls;
        this.loops = loops;
        String scope = "connector." + config.name();
        this.tlsStats = new TlsStats(scope, stats);
        this.connections = stats.counter(scope + ".connections");
        this.connectFailures = stats.counter(scope + ".connect_failures");
    }

    public ConnectorConfig config() {
        return config;
    }

    /**
     * Connects from {@code client}'s event loop (no thread hop on the relay) and installs {@code relay} once
     * connected. Fails at once when the connector's TLS material has not arrived.
     */
    public ChannelFuture connect(Channel client, ChannelHandler relay) {
        io.netty.handler.ssl.SslContext context = null;
        if (tls != null) {
            context = tls.current().map(reactor.netty.tcp.SslProvider::getSslContext).orElse(null);
            if (context == null) {
                connectFailures.increment();
                return client.newFailedFuture(new IllegalStateException("connector " + config.name() + " is not ready: "
                        + tls.notReadyReason().orElse("starting")));
            }
        }
        io.netty.handler.ssl.SslContext tlsContext = context;
        ChannelFuture connected = new Bootstrap().group(client.eventLoop())
                .channel(loops.onChannelClass(SocketChannel.class, client.eventLoop()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tlsContext != null) {
                            String name = config.tls().serverName();
                            // the host given here becomes the SNI; an IP literal sends none. Names are checked by PeerVerifier.
                            SslHandler ssl = tlsContext.newHandler(channel.alloc(), SanMatcher.isIpLiteral(name) ? config.host() : name, config.port());
                            channel.pipeline().addLast(ssl, new HandshakeObserver(tlsStats, "connector"));
                        }
                        channel.pipeline().addLast(relay);
                    }
                })
                .connect(config.host(), config.port());
        connected.addListener(done -> (done.isSuccess() ? connections : connectFailures).increment());
        return connected;
    }

    public Optional<String> notReadyReason() {
        return tls == null ? Optional.empty() : tls.notReadyReason();
    }

    @Override
    public void close() {
        if (tls != null) {
            tls.close();
        }
    }
}
