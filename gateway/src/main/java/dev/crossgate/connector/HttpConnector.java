package dev.crossgate.connector;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ConnectorConfig;
import dev.crossgate.tls.ClientTls;
import dev.crossgate.tls.HandshakeObserver;
import dev.crossgate.tls.TlsStats;
import io.netty.channel.ChannelOption;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.SslProvider;

/**
 * Dials one backend over HTTP/1.1 (or HTTP/2 for gRPC), pooling connections, and re-encrypts with the connector's newest
 * TLS context: when the context rotates, new connections use it while pooled ones finish their work.
 */
public final class HttpConnector implements AutoCloseable {

    /**
     * Reactor Netty's client and its pool, for gRPC listeners and plaintext listeners: made at their first request, so a
     * gateway that forwards only with {@link Http1Pool} never builds it (its first use loads the JDK's CA file and Reactor
     * Netty's default client TLS: 50 ms of a 1 s start, bench/ s5).
     */
    private record ReactorClient(ConnectionProvider pool, HttpClient base) {
    }

    /** The client bound to one TLS context, so a rotation costs one new client and nothing per request. */
    private record Bound(SslProvider provider, HttpClient client) {
    }

    /**
     * The HTTP/2 flow-control window of each stream, on both sides of the gateway: gRPC's own default. Netty's 64 KiB costs
     * a WINDOW_UPDATE frame and a flush per 32 KiB received (bench/ s3: 1 KiB messages on 64 streams).
     */
    public static final int HTTP2_STREAM_WINDOW = 1 << 20;
    /** A pooled connection idle longer than this is closed rather than reused: the backend may be about to close it. */
    private static final java.time.Duration MAX_IDLE = java.time.Duration.ofSeconds(30);

    /**
     * A failure the gateway tells apart itself (the backend closed early, no connection could be had), carrying its class:
     * an outcome to count and answer, not a bug to trace.
     */
    public static final class UpstreamFailure extends java.io.IOException {
        private final Failure failure;

        public UpstreamFailure(Failure failure, String message) {
            super(message);
            this.failure = failure;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final ConnectorConfig config;
    private final ClientTls tls;
    private final boolean grpc;
    private final LoopResources loops;
    private final TlsStats tlsStats;
    /** Made at the first request that needs it. */
    private volatile ReactorClient reactorClient;
    private volatile Bound bound;
    private final Http1Pool http1;
    private final LongAdder requests;
    private final LongAdder notReady;
    private final java.util.Map<Failure, LongAdder> failures = new java.util.EnumMap<>(Failure.class);

    /** Why a request to the backend failed, with the answer the client gets. */
    public enum Failure {
        REFUSED(502, "refused the connection"),
        TIMEOUT(504, "did not answer in time"),
        TLS(502, "failed the TLS handshake (see the gateway log)"),
        CLOSED_EARLY(502, "closed the connection early"),
        EXHAUSTED(503, "has all of its connections in use"),
        OTHER(502, "failed");

        private final int status;
        private final String reason;

        Failure(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        public int status() {
            return status;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** @param grpc HTTP/2 to the backend (h2 by ALPN, or h2c) and no response timeout, since streams may idle; else HTTP/1.1 */
    public HttpConnector(ConnectorConfig config, ClientTls tls, boolean grpc, LoopResources loops, Stats stats) {
        this.config = config;
        this.tls = tls;
        this.grpc = grpc;
        this.loops = loops;
        String scope = "connector." + config.name();
        this.tlsStats = new TlsStats(scope, stats);
        this.http1 = grpc ? null : new Http1Pool(new Dialer(config, tls, loops, tlsStats), MAX_IDLE, config.maxConnections(),
                config.maxPendingRequests(), config.connectTimeout(), stats.counter(scope + ".pending_total"));
        if (http1 != null) {
            stats.gauge(scope + ".connections_open", http1::open);
            stats.gauge(scope + ".pending", http1::pending);
        }
        this.requests = stats.counter(scope + ".requests");
        this.notReady = stats.counter(scope + ".not_ready");
        for (Failure failure : Failure.values()) {
            failures.put(failure, stats.counter(scope + ".failure." + failure.label()));
        }
    }

    private ReactorClient reactorClient() {
        ReactorClient made = reactorClient;
        if (made == null) {
            synchronized (this) {
                made = reactorClient;
                if (made == null) {
                    made = newReactorClient();
                    reactorClient = made;
                }
            }
        }
        return made;
    }

    private ReactorClient newReactorClient() {
        ConnectionProvider pool = ConnectionProvider.builder("crossgate-" + config.name()).maxConnections(config.maxConnections())
                .pendingAcquireMaxCount(config.maxPendingRequests()).pendingAcquireTimeout(config.connectTimeout())
                .maxIdleTime(MAX_IDLE).build();
        // one address for every request: host(..).port(..) would build and parse a new one per request; a name in it is still
        // resolved for each new connection
        java.net.SocketAddress backend = reactor.netty.transport.AddressUtils.createUnresolved(config.host(), config.port());
        HttpClient client = HttpClient.create(pool).runOn(loops).remoteAddress(() -> backend)
                .protocol(grpc ? (tls != null ? HttpProtocol.H2 : HttpProtocol.H2C) : HttpProtocol.HTTP11)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .http2Settings(settings -> settings.initialWindowSize(HTTP2_STREAM_WINDOW))
                // a streamed request body cannot be replayed, so a failed send is reported, never retried
                .disableRetry(true);
        if (!grpc) {
            client = client.responseTimeout(config.responseTimeout()); // gRPC has deadlines (grpc-timeout), passed through
        }
        if (tls != null) {
            client = client.doOnChannelInit((observer, channel, address) -> {
                if (channel.pipeline().get(NettyPipeline.SslHandler) != null) {
                    channel.pipeline().addAfter(NettyPipeline.SslHandler, "crossgate.handshake", new HandshakeObserver(tlsStats, "connector"));
                }
            });
        }
        return new ReactorClient(pool, client);
    }

    public ConnectorConfig config() {
        return config;
    }

    /**
     * Counts a request for the backend: true when it can be sent, false (counted as not ready) while the connector's TLS
     * material is missing. Once there, material is only ever replaced, never taken away.
     */
    public boolean admit() {
        if (tls != null && tls.current().isEmpty()) {
            notReady.increment();
            return false;
        }
        requests.increment();
        return true;
    }

    /** The pooled HTTP/1.1 connections to the backend, which the listeners' HTTP/1.1 forwarding borrows; null for gRPC. */
    public Http1Pool http1() {
        return http1;
    }

    /** The client to use for the next request, or empty (counted) while the connector's TLS material is missing. */
    public Optional<HttpClient> client() {
        if (!admit()) {
            return Optional.empty();
        }
        HttpClient base = reactorClient().base();
        if (tls == null) {
            return Optional.of(base);
        }
        SslProvider provider = tls.current().orElseThrow();
        Bound current = bound;
        if (current == null || current.provider() != provider) {
            current = new Bound(provider, base.secure(provider));
            bound = current; // a lost race builds the same client twice, which is harmless
        }
        return Optional.of(current.client());
    }

    /** Classifies and counts a failed request; the answer names the connector, never internals of the backend. */
    public Failure failed(Throwable error) {
        Failure failure = classify(error);
        failures.get(failure).increment();
        return failure;
    }

    public String describe(Failure failure) {
        if (failure == Failure.EXHAUSTED) {
            return "connector " + config.name() + " has all of its " + config.maxConnections() + " connections to the backend in use ("
                    + config.property("max-connections") + ") and no room or time to wait for one (" + config.property("max-pending-requests")
                    + ", " + config.property("connect-timeout") + ")";
        }
        return "the backend of connector " + config.name() + " " + failure.reason;
    }

    private static Failure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UpstreamFailure own) {
                return own.failure;
            }
            if (t instanceof PoolAcquirePendingLimitException || t instanceof PoolAcquireTimeoutException) {
                return Failure.EXHAUSTED; // before TimeoutException, which the pool's timeout is
            }
            if (t instanceof java.net.ConnectException) {
                return Failure.REFUSED;
            }
            if (t instanceof io.netty.handler.timeout.ReadTimeoutException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof io.netty.channel.ConnectTimeoutException) {
                return Failure.TIMEOUT;
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return Failure.TLS;
            }
            if (t instanceof reactor.netty.http.client.PrematureCloseException) {
                return Failure.CLOSED_EARLY;
            }
        }
        return Failure.OTHER;
    }

    public Optional<String> notReadyReason() {
        return tls == null ? Optional.empty() : tls.notReadyReason();
    }

    @Override
    public void close() {
        ReactorClient made = reactorClient;
        if (made != null) {
            made.pool().disposeLater().block(java.time.Duration.ofSeconds(5));
        }
        if (tls != null) {
            tls.close();
        }
    }
}
