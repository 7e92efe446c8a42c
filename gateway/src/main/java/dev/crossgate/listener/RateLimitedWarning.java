package dev.crossgate.listener;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one WARN a second for one kind of refusal, so a flood of refused clients cannot flood the log; the
 * counters carry the totals. Ask {@link #due()} before formatting the line, so a suppressed one costs nothing.
 */
final class RateLimitedWarning {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final AtomicLong last = new AtomicLong(System.nanoTime() - 2 * INTERVAL_NANOS);

    boolean due() {
        long now = System.nanoTime();
        long previous = last.get();
        return now - previous >= INTERVAL_NANOS && last.compareAndSet(previous, now);
    }
}
