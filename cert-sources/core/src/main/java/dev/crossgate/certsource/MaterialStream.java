package dev.crossgate.certsource;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.tls.CertificateFacts;
import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.TlsMaterial;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The part every source shares: hands out accepted material, keeps the last good material when new
 * material is refused, counts both, and says why in one log line. Sources call it from one thread.
 */
public final class MaterialStream {

    private static final Logger LOG = LoggerFactory.getLogger(MaterialStream.class);

    private final String sourceName;
    private final Clock clock;
    private final Sinks.Many<TlsMaterial> sink = Sinks.many().replay().latest();
    private final SourceCounters counters = new SourceCounters();
    private volatile TlsMaterial current;

    public MaterialStream(String sourceName, Clock clock) {
        this.sourceName = sourceName;
        this.clock = clock;
    }

    public Flux<TlsMaterial> flux() {
        return sink.asFlux();
    }

    public Optional<TlsMaterial> current() {
        return Optional.ofNullable(current);
    }

    public SourceCounters counters() {
        return counters;
    }

    /** Hands out {@code material} unless it is what is already handed out. Returns whether it was new. */
    public synchronized boolean accept(TlsMaterial material, List<String> warnings) {
        for (String warning : warnings) {
            LOG.warn("source={} {}", sourceName, warning);
        }
        if (material.sameCertificatesAs(current)) {
            return false;
        }
        TlsMaterial previous = current;
        // Subscribers rebuild their TLS contexts during emitNext; counting afterwards makes "reloads" mean "applied",
        // and publishing current last means whoever sees the new material also sees it counted.
        sink.emitNext(material, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        counters.countReload();
        current = material;
        LOG.info("source={} {} {}", sourceName, previous == null ? "loaded" : "rotated", describe(material));
        return true;
    }

    /** Refuses material, keeping what is handed out now, in exactly one WARN line. */
    public synchronized void reject(MaterialException cause) {
        counters.countRejection(new SourceCounters.Failure(clock.instant(), cause.reason().name(), cause.getMessage()));
        LOG.warn("source={} rejected={} {}: {}", sourceName, cause.reason(), keeping(), cause.getMessage());
    }

    /**
     * Counts an attempt to obtain material that failed (the CA or API could not be asked, or refused), in exactly
     * one WARN line that says what keeps serving and when the next attempt is.
     *
     * @param reason a stable name for dashboards, e.g. {@code ACCESS_DENIED}
     */
    public void fetchFailed(String reason, String message, Duration retryIn) {
        fetchFailed(reason, message, "next attempt in " + Durations.format(retryIn));
    }

    /** As {@link #fetchFailed(String, String, Duration)}, for a client that retries on its own schedule, e.g. a watch. */
    public synchronized void fetchFailed(String reason, String message, String nextAttempt) {
        counters.countFetchFailure(new SourceCounters.Failure(clock.instant(), reason, message));
        LOG.warn("source={} fetch_failed={} {}, {}: {}", sourceName, reason, keeping(), nextAttempt, message);
    }

    private String keeping() {
        TlsMaterial kept = current;
        return kept == null ? "no valid material yet, not serving" : "keeping the last good material (" + describe(kept) + ")";
    }

    public synchronized void complete() {
        sink.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    private static String describe(TlsMaterial material) {
        return material.leafFacts()
                .map(facts -> "subject=\"" + facts.subject() + "\" serial=" + facts.serial() + " notAfter=" + facts.notAfter()
                        + " sans=" + facts.subjectAltNames())
                .orElse("trust bundle of " + material.trust().size() + " CA(s): "
                        + material.trustFacts().stream().map(CertificateFacts::subject).toList());
    }
}
