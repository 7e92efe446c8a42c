package dev.crossgate.listener;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.crossgate.admin.Stats;
import dev.crossgate.certs.CertificateSources;
import dev.crossgate.config.ListenerConfig;
import dev.crossgate.connector.HttpConnector;
import dev.crossgate.skywalking.SkyWalkingTraffic;
import dev.crossgate.tls.HandshakeObserver;
import dev.crossgate.tls.ServerTls;
import dev.crossgate.tls.TlsStats;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * An HTTP or gRPC listener: TLS terminated with the rotating server contexts (or plaintext, loudly), proxied to
 * its connector. HTTP offers HTTP/2 and HTTP/1.1 by ALPN (h2c and HTTP/1.1 in plaintext); gRPC is HTTP/2 only.
 */
public final class HttpListener implements Listener, AutoCloseable {

    private final ListenerConfig config;
    private final ServerTls tls;
    private final DisposableServer server;
    private final HttpProxy proxy;
    private final SkyWalkingTraffic skywalking;

    public HttpListener(ListenerConfig config, CertificateSources sources, HttpConnector connector, LoopResources loops, Stats stats,
                        dev.crossgate.config.TlsPolicy tlsPolicy) throws Exception {
        this.config = config;
        boolean terminate = config.tls().mode() == ListenerConfig.TlsMode.TERMINATE;
        this.skywalking = config.protocol() == ListenerConfig.Protocol.GRPC ? new SkyWalkingTraffic(config, connector, stats) : null;
        this.proxy = new HttpProxy(config, connector, skywalking, stats);
        ConnectionLimit limit = new ConnectionLimit(config.name(), config.limits().maxConnections(), stats);
        long responseTimeout = connector.config().responseTimeout().toNanos();
        long idleTimeout = config.limits().idleTimeout().toNanos();
        SendStall stalls = new SendStall(config, stats);
        // over TLS to an HTTP/1.1 backend, requests are forwarded with plain Netty (HttpForwarder); the rest stays with Reactor Netty
        boolean forward = terminate && connector.http1() != null;
        HttpGuards guards = new HttpGuards(config, stats, new HttpGuards.Setup() {
            @Override
            public String http1(ChannelPipeline pipeline) {
                return forward ? HttpForwarder.takeOver(pipeline, new HttpForwarder(proxy, responseTimeout, idleTimeout)) : null;
            }

            @Override
            public void http2(ChannelPipeline pipeline) {
                ChannelHandlerContext tls = pipeline.context(SslHandler.class);
                if (tls != null) {
                    // responses of several streams that become ready in one turn of the event loop leave in one TLS write
                    pipeline.addAfter(tls.name(), "crossgate.flush-consolidation",
                            new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
                }
                if (forward) {
                    Http2Streams.takeOver(pipeline, () -> HttpForwarder.forStream(proxy, responseTimeout), stalls, idleTimeout);
                }
            }
        });
        ListenerConfig.Limits limits = config.limits();
        HttpServer server = HttpServer.create().host(config.host()).port(config.port()).runOn(loops)
                .idleTimeout(limits.idleTimeout())
                // the TCP connection counts, not the HTTP/2 streams on it
                .doOnChannelInit((observer, channel, address) -> {
                    if (!(channel instanceof Http2StreamChannel) && limit.admit(channel)) {
                        stalls.watch(channel);
                        guards.watch(channel);
                    }
                })
                // an HTTP/2 stream can stall on its own (a window kept at zero); Reactor Netty shows streams here, not at channel init
                .doOnConnection(connection -> {
                    if (connection.channel() instanceof Http2StreamChannel stream) {
                        stalls.watch(stream);
                    }
                })
                .httpRequestDecoder(spec -> spec.maxHeaderSize(limits.maxHeaderSize()))
                .http2Settings(settings -> settings.initialWindowSize(HttpConnector.HTTP2_STREAM_WINDOW)
                        .maxConcurrentStreams(limits.maxConcurrentStreams())
                        .maxHeaderListSize(limits.maxHeaderSize())
                        .maxDecodedRstFramesPerWindow(limits.maxResets(), ListenerConfig.Limits.RESET_WINDOW_SECONDS))
                .handle(proxy);
        if (terminate) {
            TlsStats tlsStats = new TlsStats("listener." + config.name(), stats);
            boolean grpc = config.protocol() == ListenerConfig.Protocol.GRPC;
            this.tls = new ServerTls(config, sources, grpc ? List.of("h2") : List.of("h2", "http/1.1"), tlsPolicy);
            ConnectionAges ages = new ConnectionAges(config.name(), tlsPolicy.maxConnectionAgeAfterRotation(), loops.onServer(true), stats);
            tls.onRotation(ages::rotated);
            server = (grpc ? server.protocol(HttpProtocol.H2) : server.protocol(HttpProtocol.HTTP11, HttpProtocol.H2))
                    .secure(spec -> spec.sslContext(tls.bindTimeContext()).handshakeTimeout(limits.handshakeTimeout())
                            .setSniAsyncMappings(tls)) // the timeout here covers reading the ClientHello
                    .doOnChannelInit((observer, channel, address) -> {
                        ages.track(channel, tls.generation());
                        channel.pipeline().addAfter(NettyPipeline.SslHandler, "crossgate.handshake", new HandshakeObserver(tlsStats, "listener").watchFirstBytes(channel.pipeline()));
                        if (channel.pipeline().get(NettyPipeline.SslReader) != null) {
                            channel.pipeline().addAfter(NettyPipeline.SslReader, "crossgate.handshake-failures", HandshakeObserver.FAILED_HANDSHAKES_COUNTED);
                        }
                    });
        } else {
            this.tls = null;
            server = config.protocol() == ListenerConfig.Protocol.GRPC ? server.protocol(HttpProtocol.H2C)
                    : server.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C);
        }
        this.server = server.bindNow(Duration.ofSeconds(10));
    }

    @Override
    public ListenerConfig config() {
        return config;
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public Optional<String> notReadyReason() {
        return tls == null ? Optional.empty() : tls.notReadyReason();
    }

    /** Stops accepting new connections at once; keeps serving the ones it has. */
    @Override
    public void stopAccepting() {
        proxy.drain();
        server.channel().close().syncUninterruptibly();
    }

    /** Requests being proxied right now. */
    @Override
    public int inFlight() {
        return proxy.inFlight();
    }

    /** Closes every connection; call after {@link #stopAccepting()} and the drain. */
    @Override
    public void close(Duration grace) {
        server.disposeNow(grace);
        if (skywalking != null) {
            skywalking.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
