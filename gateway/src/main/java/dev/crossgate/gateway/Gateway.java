package dev.crossgate.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.AdminServer;
import dev.crossgate.admin.Stats;
import dev.crossgate.certs.CertificateSources;
import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.config.ConnectorConfig;
import dev.crossgate.config.CrossgateConfiguration;
import dev.crossgate.config.IoConfig;
import dev.crossgate.config.ListenerConfig;
import dev.crossgate.connector.HttpConnector;
import dev.crossgate.connector.TcpConnector;
import dev.crossgate.listener.HttpListener;
import dev.crossgate.listener.Listener;
import dev.crossgate.listener.TcpListener;
import dev.crossgate.tls.ClientTls;
import dev.crossgate.tls.RsaKeyOffload;
import dev.crossgate.tls.TlsMaterial;
import reactor.netty.resources.LoopResources;

/** The running gateway: sources, connectors, listeners and the admin port on one event-loop group. */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(20);

    private final CertificateSources sources;
    private final BusyPollStrategy.Counts busyPolls = new BusyPollStrategy.Counts();
    private final LoopResources loops;
    private final Map<String, HttpConnector> httpConnectors = new LinkedHashMap<>();
    private final Map<String, TcpConnector> tcpConnectors = new LinkedHashMap<>();
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final Stats stats = new Stats();
    private AdminServer admin;
    private final dev.crossgate.config.TlsPolicy tlsPolicy;

    private Gateway(CertificateSources sources, IoConfig io, dev.crossgate.config.TlsPolicy tlsPolicy) {
        this.sources = sources;
        this.tlsPolicy = tlsPolicy;
        this.loops = EventLoops.create(io, busyPolls);
    }

    /** Starts everything; on any failure what was started is stopped again. */
    public static Gateway start(CrossgateConfiguration configuration, CertificateSources sources) throws Exception {
        Gateway gateway = new Gateway(sources, configuration.io(), configuration.tls());
        try {
            gateway.startAll(configuration);
            return gateway;
        } catch (Exception e) {
            gateway.close(Duration.ZERO);
            throw e;
        }
    }

    private void startAll(CrossgateConfiguration configuration) throws Exception {
        for (String weaker : tlsPolicy.weakenings()) {
            LOG.warn("TLS weakened by configuration: {}", weaker);
        }
        IoConfig io = configuration.io();
        LOG.info("{} event loop(s){}", io.threads(), io.busyPoll().describe());
        sources.start();
        sources.all().forEach(this::registerSourceStats);
        stats.gauge("io.busy_poll.caught", busyPolls.caught::sum);
        stats.gauge("io.busy_poll.missed", busyPolls.missed::sum);
        stats.gauge("io.busy_poll.polling_us", () -> busyPolls.pollingNanos.sum() / 1_000);
        stats.gauge("tls.rsa_offload.operations", RsaKeyOffload::operations);
        stats.gauge("tls.rsa_offload.failures", RsaKeyOffload::failures);
        Map<String, ConnectorConfig> connectorConfigs = new LinkedHashMap<>();
        for (ConnectorConfig config : configuration.connectors()) {
            connectorConfigs.put(config.name(), config);
            if (config.tls().originate() && config.tls().insecureSkipVerify()) {
                LOG.warn("connector {} does not verify the certificate of {} (tls.insecure-skip-verify=true): anyone on the path can impersonate it",
                        config.name(), config.address());
            }
            if (!config.tls().originate()) {
                LOG.warn("connector {} sends plaintext to {} (tls.mode=off)", config.name(), config.address());
            }
        }
        List<String> plaintext = new ArrayList<>();
        for (ListenerConfig config : configuration.listeners()) {
            java.util.function.Function<String, TcpConnector> tcp = name -> tcpConnectors.computeIfAbsent(name,
                    n -> new TcpConnector(connectorConfigs.get(n), clientTls(connectorConfigs.get(n), List.of()), loops, stats));
            Listener listener = switch (config.protocol()) {
                case HTTP, GRPC -> {
                    boolean grpc = config.protocol() == ListenerConfig.Protocol.GRPC;
                    // one client per connector and protocol: ALPN and HTTP version differ between the two
                    HttpConnector connector = httpConnectors.computeIfAbsent(config.connector() + (grpc ? "/grpc" : "/http"),
                            n -> new HttpConnector(connectorConfigs.get(config.connector()),
                                    clientTls(connectorConfigs.get(config.connector()), grpc ? List.of("h2") : List.of("http/1.1")), grpc, loops, stats));
                    yield new HttpListener(config, sources, connector, loops, stats, tlsPolicy);
                }
                case TCP -> new TcpListener(config, sources, tcp, loops, stats, tlsPolicy);
            };
            listeners.put(config.name(), listener);
            boolean off = config.tls().mode() == ListenerConfig.TlsMode.OFF;
            stats.gauge("listener." + config.name() + ".plaintext", () -> off ? 1 : 0);
            if (off) {
                plaintext.add(config.name());
                LOG.warn("listener {} on port {} accepts PLAINTEXT (tls.mode=off): traffic to it is not encrypted", config.name(), listener.port());
            }
            LOG.info("listener {} on {}:{} ({}, tls {}, client-auth {}) -> {}", config.name(), config.host(), listener.port(),
                    config.protocol().name().toLowerCase(), config.tls().mode().name().toLowerCase(), config.tls().clientAuth().name().toLowerCase(),
                    config.connector() != null ? describe(connectorConfigs.get(config.connector())) : "by SNI " + config.sniRoutes());
        }
        admin = new AdminServer(configuration.admin(), stats, sources, plaintext, this::notReady, loops);
        LOG.info("admin on {}:{} (/stats /metrics /certs /health/liveness /health/readiness)", configuration.admin().host(), admin.port());
    }

    private static String describe(ConnectorConfig connector) {
        return "connector " + connector.name() + " (" + connector.address() + ", tls "
                + (connector.tls().originate() ? "originate, server-name " + connector.tls().serverName() : "off") + ")";
    }

    /** A connector's TLS for one protocol (the ALPN list differs), or null when it sends plaintext. */
    private ClientTls clientTls(ConnectorConfig connector, List<String> alpn) {
        return connector.tls().originate() ? new ClientTls(connector, sources, alpn, tlsPolicy) : null;
    }

    private void registerSourceStats(CertificateSource source) {
        String scope = "certs." + source.name();
        stats.gauge(scope + ".reloads", () -> source.counters().reloads());
        stats.gauge(scope + ".rejected_reloads", () -> source.counters().rejectedReloads());
        stats.gauge(scope + ".fetch_failures", () -> source.counters().fetchFailures());
        // describes only what is being served now: a replaced certificate no longer counts
        stats.gauge(scope + ".expiry_seconds", () -> source.current().flatMap(TlsMaterial::leafFacts)
                .map(facts -> facts.secondsToExpiry(Instant.now())).orElse(-1L));
        stats.gauge(scope + ".ready", () -> source.current().isPresent() ? 1 : 0);
    }

    /** What keeps the gateway from being ready, one line each; empty when it is. */
    public List<String> notReady() {
        List<String> reasons = new ArrayList<>(sources.notReady(Instant.now()));
        listeners.values().forEach(l -> l.notReadyReason().ifPresent(r -> reasons.add("listener " + l.config().name() + ": " + r)));
        httpConnectors.values().forEach(c -> c.notReadyReason().ifPresent(r -> reasons.add("connector " + c.config().name() + ": " + r)));
        tcpConnectors.values().forEach(c -> c.notReadyReason().ifPresent(r -> reasons.add("connector " + c.config().name() + ": " + r)));
        return reasons;
    }

    public Stats stats() {
        return stats;
    }

    public int listenerPort(String name) {
        return listeners.get(name).port();
    }

    public int adminPort() {
        return admin.port();
    }

    /**
     * Stops accepting, gives requests in flight up to {@code grace} to finish (Reactor Netty's own dispose
     * would cut them), then closes connections, sources and event loops.
     */
    public void close(Duration grace) {
        listeners.values().forEach(Listener::stopAccepting);
        long deadline = System.nanoTime() + grace.toNanos();
        int inFlight;
        while ((inFlight = listeners.values().stream().mapToInt(Listener::inFlight).sum()) > 0 && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
        }
        if (inFlight > 0) {
            LOG.warn("grace period of {} over with {} request(s) or connection(s) still open; closing them", grace, inFlight);
        }
        listeners.values().forEach(listener -> listener.close(Duration.ofSeconds(1)));
        if (admin != null) {
            admin.close();
        }
        httpConnectors.values().forEach(HttpConnector::close);
        tcpConnectors.values().forEach(TcpConnector::close);
        sources.close();
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        close(DEFAULT_GRACE);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
