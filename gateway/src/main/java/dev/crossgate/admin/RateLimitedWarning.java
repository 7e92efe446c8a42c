package dev.crossgate.admin;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most a few WARN lines a second for one kind of event, so a flood of refused clients cannot flood the log; the
 * counters carry the totals, and the next line that is let through says how many were left out. Ask {@link #due()}
 * before formatting the line, so a suppressed one costs nothing. No lock: at worst a line more or less in a second.
 */
public final class RateLimitedWarning {

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final int perSecond;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime() - 2 * SECOND_NANOS);
    private final AtomicInteger inWindow = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    /** One line a second. */
    public RateLimitedWarning() {
        this(1);
    }

    public RateLimitedWarning(int perSecond) {
        this.perSecond = perSecond;
    }

    /** Whether this line may be written; if not, it is counted as left out. */
    public boolean due() {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= SECOND_NANOS && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() <= perSecond) {
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }

    /** Lines left out since the last call, for the next line written: " (12 more like it not logged)", or "". */
    public String leftOut() {
        long count = suppressed.getAndSet(0);
        return count == 0 ? "" : " (" + count + " more like it not logged)";
    }
}
