package dev.crossgate.certsource;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What {@code /stats} reports for a source: rotations accepted and refused, and why the last was refused. */
public final class SourceCounters {

    /** The last refusal: when, the stable reason name, and the operator-facing message. */
    public record Rejection(Instant at, String reason, String message) {
    }

    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong rejectedReloads = new AtomicLong();
    private final AtomicReference<Rejection> lastRejection = new AtomicReference<>();

    /** Material accepted, the first load included. */
    public long reloads() {
        return reloads.get();
    }

    public long rejectedReloads() {
        return rejectedReloads.get();
    }

    public Rejection lastRejection() {
        return lastRejection.get();
    }

    void countReload() {
        reloads.incrementAndGet();
    }

    void countRejection(Rejection rejection) {
        rejectedReloads.incrementAndGet();
        lastRejection.set(rejection);
    }
}
