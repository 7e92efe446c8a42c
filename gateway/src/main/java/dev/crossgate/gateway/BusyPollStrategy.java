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
 * A fixed window polls every time. The adaptive one polls only while it pays, which is why it can be the default: while
 * the loop's thread spent at least half of its last period working (its polls not counted) and at least one poll in
 * four caught work; when its polls stop catching, one in {@value #PROBE_EVERY} tries again. An idle or lightly loaded
 * gateway therefore sleeps at once, as Netty's loop does, and spends nothing on polls. One instance per loop: it keeps
 * that loop's state unsynchronised; the {@link Counts} /stats shows are shared by the loops of a group.
 */
final class BusyPollStrategy implements SelectStrategy {

    static final long PERIOD_NANOS = 10_000_000;
    static final int PROBE_EVERY = 16;
    /** Fixed point: the share of polls that caught work, over roughly the last 16. */
    private static final int ALL = 1 << 10;
    private static final int ENOUGH = ALL / 4;

    private final long windowNanos;
    private final boolean adaptive;
    private final LongSupplier clock;
    private final LongSupplier threadCpu;
    private final Counts counts;

    private boolean started;
    private long periodStart;
    private long periodCpu;
    private long periodPolling;
    private boolean busy;
    private int catchRate = ALL / 2;
    private int sinceProbe;

    BusyPollStrategy(BusyPoll poll, Counts counts, LongSupplier clock, LongSupplier threadCpu) {
        this.windowNanos = poll.window().toNanos();
        this.adaptive = poll.adaptive();
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
        if (adaptive && !worthPolling(start)) {
            return SELECT;
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
            catchRate += ready > 0 ? (ALL - catchRate) >> 4 : -(catchRate >> 4);
        }
        return ready > 0 ? ready : SELECT;
    }

    private boolean worthPolling(long now) {
        if (!started || now - periodStart >= PERIOD_NANOS) {
            long cpu = threadCpu.getAsLong();
            busy = started && 2 * (cpu - periodCpu - periodPolling) >= now - periodStart;
            started = true;
            periodStart = now;
            periodCpu = cpu;
            periodPolling = 0;
        }
        if (!busy) {
            return false;
        }
        if (catchRate >= ENOUGH || ++sinceProbe >= PROBE_EVERY) {
            sinceProbe = 0;
            return true;
        }
        return false;
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
