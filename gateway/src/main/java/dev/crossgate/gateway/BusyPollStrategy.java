package dev.crossgate.gateway;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

import dev.crossgate.config.IoConfig.BusyPoll;

/**
 * What an event loop does when it runs out of work ({@code crossgate.io.busy-poll}): Netty's default, sleep until its
 * sockets have something, after polling them for up to a window. On a virtual machine a packet for a sleeping loop
 * costs its sender an interprocessor interrupt through the hypervisor and the loop a wake-up; a loop still polling
 * when it comes pays neither (HAProxy's busy-polling, bounded).
 * <p>
 * A fixed window polls every time. The adaptive one is why polling can be the default: it polls only while the loop's
 * thread spent at least half of its last period working (its polls not counted), so an idle or lightly loaded gateway
 * sleeps at once, as Netty's loop does. Its window adapts as the guest halt-polling of KVM and Linux's haltpoll cpuidle
 * governor do: after a poll that caught nothing, the idle time until the loop next runs out of work (its poll, then its
 * sleep) says what a longer window would have caught. A gap up to the cap doubles the window (from
 * {@value #GROW_FROM_NANOS} ns, to the cap); a longer one halves it, so polls that would not catch shrink away. One
 * instance per loop: it keeps that loop's state unsynchronised; the {@link Counts} /stats shows are shared by the loops
 * of a group.
 */
final class BusyPollStrategy implements SelectStrategy {

    static final long PERIOD_NANOS = 10_000_000;
    static final long GROW_FROM_NANOS = 50_000;

    private final long capNanos;
    private final boolean adaptive;
    private final LongSupplier clock;
    private final LongSupplier threadCpu;
    private final Counts counts;

    private long windowNanos;
    private boolean started;
    private long periodStart;
    private long periodCpu;
    private long periodPolling;
    private boolean busy;
    /** After a poll that caught nothing: when it ended, the thread's CPU time then, and how long it polled. */
    private boolean missed;
    private long missedAt;
    private long missedCpu;
    private long missedPolling;

    BusyPollStrategy(BusyPoll poll, Counts counts, LongSupplier clock, LongSupplier threadCpu) {
        this.capNanos = poll.window().toNanos();
        this.adaptive = poll.adaptive();
        this.windowNanos = adaptive ? Math.min(GROW_FROM_NANOS, capNanos) : capNanos;
        this.counts = counts;
        this.clock = clock;
        this.threadCpu = threadCpu;
    }

    static BusyPollStrategy of(BusyPoll poll, Counts counts) {
        return new BusyPollStrategy(poll, counts, System::nanoTime, ThreadCpu::nanos);
    }

    /** What the loops' polls did (io.busy_poll.* in /stats): whether they are worth their time shows there. */
    static final class Counts {

        final LongAdder caught = new LongAdder();
        final LongAdder missed = new LongAdder();
        final LongAdder pollingNanos = new LongAdder();
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        long start = clock.getAsLong();
        if (adaptive) {
            if (missed) {
                adaptWindow(start);
            }
            if (!busy(start)) {
                return SELECT;
            }
        }
        int ready = selectNow.get();
        if (ready > 0) {
            return ready;
        }
        long now;
        do {
            Thread.onSpinWait();
            ready = selectNow.get();
            now = clock.getAsLong();
        } while (ready == 0 && now - start < windowNanos);
        long polling = now - start;
        counts.pollingNanos.add(polling);
        (ready > 0 ? counts.caught : counts.missed).increment();
        if (adaptive) {
            periodPolling += polling;
            if (ready == 0) {
                missed = true;
                missedAt = now;
                missedCpu = threadCpu.getAsLong();
                missedPolling = polling;
            }
        }
        return ready > 0 ? ready : SELECT;
    }

    /** The loop slept after its last poll and has run out of work again: the gap it had was its poll and its sleep. */
    private void adaptWindow(long now) {
        missed = false;
        long work = threadCpu.getAsLong() - missedCpu;
        long gap = missedPolling + Math.max(0, now - missedAt - work);
        windowNanos = gap <= capNanos ? Math.min(capNanos, Math.max(GROW_FROM_NANOS, 2 * windowNanos)) : windowNanos / 2;
    }

    private boolean busy(long now) {
        if (!started || now - periodStart >= PERIOD_NANOS) {
            long cpu = threadCpu.getAsLong();
            busy = started && 2 * (cpu - periodCpu - periodPolling) >= now - periodStart;
            started = true;
            periodStart = now;
            periodCpu = cpu;
            periodPolling = 0;
        }
        return busy;
    }

    /**
     * The calling thread's CPU time. Its management classes load at a loop's first wait (some 13 ms on a fresh JVM
     * without a class-data archive); where the JVM cannot tell a thread's CPU time, a loop never counts as busy
     * and never polls.
     */
    static final class ThreadCpu {

        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

        private ThreadCpu() {
        }

        static long nanos() {
            return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : 0;
        }
    }
}
