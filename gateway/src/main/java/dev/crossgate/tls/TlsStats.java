package dev.crossgate.tls;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import dev.crossgate.admin.Stats;

/**
 * The {@code ssl.*} counters of one listener or connector, named as Envoy names them
 * ({@code listener.<name>.ssl.handshake}), registered up front so that {@code /stats} shows zeros too.
 */
public final class TlsStats {

    private final String scope;
    private final Stats stats;
    private final LongAdder handshake;
    private final LongAdder noCertificate;
    private final LongAdder sessionReused;
    private final Map<HandshakeFailure, LongAdder> failures = new EnumMap<>(HandshakeFailure.class);
    private final Map<HandshakeFailure, LongAdder> envoyCounters = new EnumMap<>(HandshakeFailure.class);
    /** Each failed handshake is logged, up to ten a second: a scanner's flood must not become a log flood. */
    final dev.crossgate.admin.RateLimitedWarning failureLog = new dev.crossgate.admin.RateLimitedWarning(10);

    /** @param scope {@code listener.<name>} or {@code connector.<name>} */
    public TlsStats(String scope, Stats stats) {
        this.scope = scope;
        this.stats = stats;
        this.handshake = stats.counter(scope + ".ssl.handshake");
        this.noCertificate = stats.counter(scope + ".ssl.no_certificate");
        this.sessionReused = stats.counter(scope + ".ssl.session_reused");
        for (String name : new String[] {"ssl.connection_error", "ssl.fail_verify_no_cert", "ssl.fail_verify_error", "ssl.fail_verify_san"}) {
            stats.counter(scope + "." + name);
        }
        for (HandshakeFailure failure : HandshakeFailure.values()) {
            failures.put(failure, stats.counter(scope + ".ssl.failure." + failure.label()));
            envoyCounters.put(failure, stats.counter(scope + "." + failure.counter()));
        }
    }

    /** The name without its kind: {@code edge} of {@code listener.edge}. */
    public String name() {
        return scope.substring(scope.indexOf('.') + 1);
    }

    void handshake(String protocol, String cipher, boolean peerCertificate, boolean resumed) {
        handshake.increment();
        if (resumed) {
            sessionReused.increment();
        }
        stats.counter(scope + ".ssl.versions." + protocol).increment();
        stats.counter(scope + ".ssl.ciphers." + cipher).increment();
        if (!peerCertificate) {
            noCertificate.increment();
        }
    }

    public void failure(HandshakeFailure reason) {
        failures.get(reason).increment();
        envoyCounters.get(reason).increment();
    }
}
