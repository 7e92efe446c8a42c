package dev.crossgate.certsource;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code /stats} reports for a source: rotations accepted and refused, fetches that failed (a CA or
 * API that could not be asked), and why the last refusal and the last failed fetch happened.
 */
public final class SourceCounters {

    /** One refusal or failed fetch: when, the stable reason name, and the operator-facing message. */
    public record Failure(Instant at, String reason, String message) {
    }

    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong rejectedReloads = new AtomicLong();
    private final AtomicLong fetchFailures = new AtomicLong();
    private final AtomicReference<Failure> lastRejection = new AtomicReference<>();
    private final AtomicReference<Failure> lastFetchFailure = new AtomicReference<>();

    /** Material accepted, the first load included. */
    public long reloads() {
        return reloads.get();
    }

    /** Material obtained but refused by validation. */
    public long rejectedReloads() {
        return rejectedReloads.get();
    }

    /** Attempts to obtain material that failed before there was any to validate (AWS or Kubernetes API errors). */
    public long fetchFailures() {
        return fetchFailures.get();
    }

    public Failure lastRejection() {
        return lastRejection.get();
    }

    public Failure lastFetchFailure() {
        return lastFetchFailure.get();
    }

    void countReload() {
        reloads.incrementAndGet();
    }

    void countRejection(Failure rejection) {
        rejectedReloads.incrementAndGet();
        lastRejection.set(rejection);
    }

    void countFetchFailure(Failure failure) {
        fetchFailures.incrementAndGet();
        lastFetchFailure.set(failure);
    }
}
