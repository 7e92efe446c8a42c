package dev.crossgate.connector;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ConnectorConfig;
import dev.crossgate.tls.ClientTls;
import dev.crossgate.tls.TlsStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import reactor.netty.resources.LoopResources;

/** Dials one backend for a TCP listener, one connection per client connection, with the connector's newest TLS context. */
public final class TcpConnector implements AutoCloseable {

    private final ConnectorConfig config;
    private final ClientTls tls;
    private final Dialer dialer;
    final LongAdder connections;
    final LongAdder connectFailures;

    public TcpConnector(ConnectorConfig config, ClientTls tls, LoopResources loops, Stats stats) {
        this.config = config;
        this.tls = tls;
        String scope = "connector." + config.name();
        this.dialer = new Dialer(config, tls, loops, new TlsStats(scope, stats));
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
        io.netty.handler.ssl.SslContext context;
        try {
            context = dialer.context();
        } catch (IllegalStateException notReady) {
            connectFailures.increment();
            return client.newFailedFuture(notReady);
        }
        ChannelFuture connected = dialer.dial(client.eventLoop(), context, true, pipeline -> pipeline.addLast(relay));
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
