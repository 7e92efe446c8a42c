package dev.crossgate.certsource.acmpca;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.certsource.Durations;
import dev.crossgate.certsource.MaterialStream;
import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.MaterialValidator;
import dev.crossgate.tls.TlsMaterial;

/**
 * Issues at start, renews at renew-at, and after any failure tries again with back-off, on one thread of its own.
 * What is served changes only when a new certificate has passed validation; a failed renewal leaves it serving
 * and says so, at every attempt.
 */
final class AcmPcaRenewalLoop {

    private static final Logger LOG = LoggerFactory.getLogger(AcmPcaRenewalLoop.class);

    private final AcmPcaSourceSpec spec;
    private final AcmPcaIssuer issuer;
    private final MaterialStream stream;
    private final RenewalSchedule schedule;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private int failuresInARow;

    AcmPcaRenewalLoop(AcmPcaSourceSpec spec, AcmPcaIssuer issuer, MaterialStream stream, Clock clock) {
        this.spec = spec;
        this.issuer = issuer;
        this.stream = stream;
        this.schedule = new RenewalSchedule(spec);
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "crossgate-acm-pca-" + spec.name());
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        thread.execute(this::attempt);
    }

    void stop() {
        thread.shutdownNow();
    }

    private void attempt() {
        try {
            MaterialValidator.Result result = issuer.issue();
            failuresInARow = 0;
            stream.accept(result.material(), result.warnings());
            scheduleRenewal(result.material());
        } catch (AwsFault fault) {
            retryLater(fault.kind().name(), fault.getMessage());
        } catch (MaterialException refused) {
            stream.reject(refused);
            retryLater(null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Whatever went wrong, the loop must go on: a dead renewal thread would let the served certificate expire silently.
            LOG.error("source={} unexpected failure while issuing a certificate", spec.name(), e);
            retryLater("UNEXPECTED", e.toString());
        }
    }

    private void scheduleRenewal(TlsMaterial material) {
        var leaf = material.leaf().orElseThrow();
        Instant renewal = schedule.renewal(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), clock.instant(),
                ThreadLocalRandom.current().nextDouble());
        Duration wait = Duration.between(clock.instant(), renewal);
        LOG.info("source={} next renewal at {} (in {}; certificate valid until {})", spec.name(), renewal, Durations.format(wait),
                leaf.getNotAfter().toInstant());
        schedule(wait);
    }

    /** @param reason null when the material was refused (already counted and logged as a rejection) */
    private void retryLater(String reason, String message) {
        failuresInARow++;
        Duration wait = schedule.retryDelay(failuresInARow, ThreadLocalRandom.current().nextDouble());
        if (reason != null) {
            stream.fetchFailed(reason, message, wait);
        }
        schedule(wait);
    }

    private void schedule(Duration wait) {
        if (!thread.isShutdown()) {
            thread.schedule(this::attempt, Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
        }
    }
}
