package dev.crossgate.listener;

import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.Stats;
import dev.crossgate.certs.CertificateSources;
import dev.crossgate.config.ListenerConfig;
import dev.crossgate.connector.TcpConnector;
import dev.crossgate.tls.HandshakeObserver;
import dev.crossgate.tls.ServerTls;
import dev.crossgate.tls.TlsStats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.netty.resources.LoopResources;

/**
 * A TCP listener: each accepted connection gets its own backend connection and bytes are relayed both
 * ways by {@link TcpRelay}. Plain Netty rather than Reactor Netty's TCP API, because that API cannot
 * express a half-close; the TLS contexts are the same rotating ones, chosen per handshake by SNI.
 */
public final class TcpListener implements Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    private final ListenerConfig config;
    private final ServerTls tls;
    private final TcpConnector connector;
    private final Map<String, TcpConnector> routes;
    private final Stats stats;
    private final Channel server;
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger relaying = new AtomicInteger();
    private final LongAdder accepted;
    private final LongAdder upstreamFailures;
    private final dev.crossgate.admin.RateLimitedWarning upstreamWarning = new dev.crossgate.admin.RateLimitedWarning(10);

    /** @param connectors finds a connector by name: the listener's own, or each target of its SNI routes */
    public TcpListener(ListenerConfig config, CertificateSources sources, Function<String, TcpConnector> connectors, LoopResources loops,
                       Stats stats, dev.crossgate.config.TlsPolicy tlsPolicy) throws InterruptedException {
        this.config = config;
        this.stats = stats;
        this.connector = config.connector() == null ? null : connectors.apply(config.connector());
        this.routes = new LinkedHashMap<>();
        config.sniRoutes().forEach((host, target) -> routes.put(host, connectors.apply(target)));
        boolean passthrough = config.tls().mode() == ListenerConfig.TlsMode.PASSTHROUGH;
        this.accepted = stats.counter("listener." + config.name() + ".tcp.connections");
        this.upstreamFailures = stats.counter("listener." + config.name() + ".tcp.upstream_failures");
        boolean terminate = config.tls().mode() == ListenerConfig.TlsMode.TERMINATE;
        this.tls = terminate ? new ServerTls(config, sources, List.of(), tlsPolicy) : null;
        TlsStats tlsStats = terminate ? new TlsStats("listener." + config.name(), stats) : null;
        ConnectionAges ages = terminate ? new ConnectionAges(config.name(), tlsPolicy.maxConnectionAgeAfterRotation(), loops.onServer(true), stats) : null;
        if (terminate) {
            tls.onRotation(ages::rotated);
        }
        ConnectionLimit limit = new ConnectionLimit(config.name(), config.limits().maxConnections(), stats);
        SniRouter.Routes passthroughRoutes = passthrough
                ? new SniRouter.Routes(config.name(), routes, config.limits().handshakeTimeout().toMillis(), stats) : null;
        var group = loops.onServer(true);
        this.server = new ServerBootstrap().group(loops.onServerSelect(true), group)
                .channel(loops.onChannelClass(ServerSocketChannel.class, group))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel client) {
                        if (!limit.admit(client)) {
                            return;
                        }
                        open.add(client);
                        accepted.increment();
                        if (terminate) {
                            ages.track(client, tls.generation()); // a byte stream has no request boundary: retired means closed
                            client.pipeline().addLast(new SniHandler(tls.contexts(), config.limits().handshakeTimeout().toMillis()),
                                    new HandshakeObserver(tlsStats, "listener").watchFirstBytes(client.pipeline()));
                        } else if (passthrough) {
                            client.pipeline().addLast(new SniRouter(passthroughRoutes));
                        }
                        client.pipeline().addLast(new Dialer(terminate || passthrough));
                    }
                })
                .bind(config.host(), config.port()).sync().channel();
    }

    /**
     * Dials the backend once the client is there (after its TLS handshake when terminating, once the SNI
     * is routed for passthrough), holding whatever the client sends meanwhile: TLS 1.3 data can arrive
     * with the client's Finished message, and a passthrough ClientHello is held until the route is known.
     */
    private final class Dialer extends ChannelInboundHandlerAdapter {
        private final boolean waitForHandshake;
        private final java.util.ArrayDeque<Object> early = new java.util.ArrayDeque<>();
        private boolean dialing;
        /** The client may send everything and half-close before the backend answers the dial. */
        private boolean clientFinished;

        Dialer(boolean waitForHandshake) {
            this.waitForHandshake = waitForHandshake;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (waitForHandshake) {
                ctx.read(); // let the ClientHello in
            } else {
                dial(ctx, connector);
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            early.add(message);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (waitForHandshake && !dialing) {
                ctx.read(); // keep the handshake going until it completes
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            early.forEach(io.netty.util.ReferenceCountUtil::release);
            early.clear();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                clientFinished = true;
            }
            if (event instanceof SslHandshakeCompletionEvent completion && waitForHandshake) {
                if (completion.isSuccess()) {
                    dial(ctx, connector);
                } else {
                    ctx.close();
                }
            }
            if (event instanceof SniRouter.Routed route) {
                dial(ctx, route.connector());
            }
            super.userEventTriggered(ctx, event);
        }

        private void dial(ChannelHandlerContext ctx, TcpConnector connector) {
            dialing = true;
            Channel client = ctx.channel();
            relaying.incrementAndGet();
            client.closeFuture().addListener(closed -> relaying.decrementAndGet());
            connector.connect(client, new TcpRelay(client)).addListener((io.netty.channel.ChannelFutureListener) connected -> {
                if (connected.isSuccess()) {
                    Channel backend = connected.channel();
                    open.add(backend);
                    while (!early.isEmpty()) {
                        backend.write(early.poll());
                    }
                    backend.flush();
                    client.pipeline().replace(this, "crossgate.relay", new TcpRelay(backend));
                    if (clientFinished) {
                        TcpRelay.passEndOfInput(client, backend);
                    } else {
                        TcpRelay.readMore(client);
                    }
                } else {
                    upstreamFailures.increment();
                    if (upstreamWarning.due()) {
                        LOG.warn("upstream_failed listener={} connector={} address={} peer={} error=\"{}\"{}", config.name(),
                                connector.config().name(), connector.config().address(), client.remoteAddress(),
                                connected.cause().toString(), upstreamWarning.leftOut());
                    }
                    client.close();
                }
            });
        }
    }

    @Override
    public ListenerConfig config() {
        return config;
    }

    @Override
    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public int inFlight() {
        return relaying.get();
    }

    @Override
    public Optional<String> notReadyReason() {
        return tls == null ? Optional.empty() : tls.notReadyReason();
    }

    @Override
    public void stopAccepting() {
        server.close().syncUninterruptibly();
    }

    @Override
    public void close(Duration grace) {
        server.close().syncUninterruptibly();
        open.close().awaitUninterruptibly(grace.toMillis());
        if (tls != null) {
            tls.close();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
