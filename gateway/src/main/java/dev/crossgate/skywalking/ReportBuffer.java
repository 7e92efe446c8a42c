package dev.crossgate.skywalking;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ListenerConfig;
import reactor.core.publisher.Mono;

/**
 * Reports accepted from agents and not yet delivered, oldest first, bounded in bytes. Over the bound the oldest
 * (or the arriving) report is dropped, counted and logged at most once a second. With a {@link ReportSpool} every
 * report is also on disk, so a restart replays what was not delivered. The critical sections are a few field
 * updates; the forwarder takes batches from the head and removes them once delivered.
 */
public final class ReportBuffer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportBuffer.class);

    /** One report: its place in arrival order, the collector method it was sent to, and the message. */
    public record Report(long seq, String method, byte[] message) {
    }

    private final String listener;
    private final ListenerConfig.StoreAndForward config;
    private final ReportSpool spool;
    private final Deque<Report> waiting = new ArrayDeque<>();
    private final LongAdder accepted;
    private final LongAdder dropped;
    private final LongAdder delivered;
    private long waitingBytes;
    private long nextSeq;
    private long lastDropLog;
    private long droppedSinceLog;

    public ReportBuffer(String listener, ListenerConfig.StoreAndForward config, Stats stats) throws IOException {
        this.listener = listener;
        this.config = config;
        String scope = "listener." + listener + ".store_and_forward";
        this.accepted = stats.counter(scope + ".accepted");
        this.dropped = stats.counter(scope + ".dropped");
        this.delivered = stats.counter(scope + ".delivered");
        stats.gauge(scope + ".waiting", this::waitingCount);
        stats.gauge(scope + ".waiting_bytes", this::waitingBytes);
        this.spool = config.mode() == ListenerConfig.StoreAndForward.Mode.DISK ? ReportSpool.open(config.spoolDir().resolve(listener)) : null;
        nextSeq = 1;
        if (spool != null) {
            List<Report> replay = spool.undelivered();
            for (Report report : replay) {
                enqueue(report);
            }
            nextSeq = spool.lastSeq() + 1;
            if (!replay.isEmpty()) {
                LOG.info("listener={} store_and_forward replaying {} report(s) ({} bytes) kept in {} from before the restart", listener,
                        waitingCount(), waitingBytes(), spool.directory());
            }
        }
    }

    /** Takes one report. Returns whether it was kept (with drop-newest and a full buffer it is not). */
    public boolean add(String method, byte[] message) {
        Report report;
        synchronized (this) {
            if (config.overflow() == ListenerConfig.StoreAndForward.Overflow.DROP_NEWEST && waitingBytes + message.length > config.maxBytes()) {
                countDrops(1);
                return false;
            }
            report = new Report(nextSeq++, method, message);
            accepted.increment();
            enqueue(report);
            if (spool != null) {
                spool.append(report);
            }
        }
        return true;
    }

    /** Completes once every report added so far is written to the spool; at once without one. */
    public Mono<Void> durable() {
        return spool == null ? Mono.empty() : spool.barrier();
    }

    /** Up to {@code maxMessages} and about {@code maxBytes} of the oldest reports, all for the same method; not removed yet. */
    public List<Report> batch(int maxMessages, long maxBytes) {
        return batch(maxMessages, maxBytes, method -> maxMessages);
    }

    /** As {@link #batch(int, long)}, with a limit of messages that depends on the method (one for a unary call). */
    public synchronized List<Report> batch(int maxMessages, long maxBytes, java.util.function.ToIntFunction<String> perMethod) {
        List<Report> batch = new ArrayList<>();
        long bytes = 0;
        int limit = waiting.isEmpty() ? 0 : Math.min(maxMessages, perMethod.applyAsInt(waiting.peekFirst().method()));
        for (Report report : waiting) {
            if (!batch.isEmpty() && (!report.method().equals(batch.get(0).method()) || batch.size() >= limit
                    || bytes + report.message().length > maxBytes)) {
                break;
            }
            batch.add(report);
            bytes += report.message().length;
        }
        return batch;
    }

    /** The batch reached the far side: it goes (those of it still waiting: the oldest may have been dropped meanwhile). */
    public synchronized void delivered(List<Report> batch) {
        long last = 0;
        for (Report report : batch) {
            if (waiting.peekFirst() == report) {
                waiting.pollFirst();
                waitingBytes -= report.message().length;
                delivered.increment();
                last = report.seq();
            }
        }
        if (spool != null && last > 0) {
            spool.doneUpTo(last, waiting.isEmpty());
        }
    }

    public synchronized long waitingCount() {
        return waiting.size();
    }

    public synchronized long waitingBytes() {
        return waitingBytes;
    }

    public synchronized boolean isEmpty() {
        return waiting.isEmpty();
    }

    private void enqueue(Report report) {
        waiting.addLast(report);
        waitingBytes += report.message().length;
        int drops = 0;
        long lastDropped = 0;
        while (waitingBytes > config.maxBytes() && waiting.size() > 1) {
            Report oldest = waiting.pollFirst();
            waitingBytes -= oldest.message().length;
            lastDropped = oldest.seq();
            drops++;
        }
        if (drops > 0) {
            countDrops(drops);
            if (spool != null) {
                spool.doneUpTo(lastDropped, false);
            }
        }
    }

    private void countDrops(int drops) {
        dropped.add(drops);
        droppedSinceLog += drops;
        long now = System.nanoTime();
        if (now - lastDropLog > 1_000_000_000L) {
            LOG.warn("listener={} store_and_forward dropped {} report(s) ({}): {} bytes wait, the bound is {} "
                            + "(crossgate.listeners.{}.store-and-forward.max-bytes); the far side has not taken them in time", listener,
                    droppedSinceLog, config.overflow() == ListenerConfig.StoreAndForward.Overflow.DROP_OLDEST ? "the oldest" : "the newest",
                    waitingBytes, config.maxBytes(), listener);
            lastDropLog = now;
            droppedSinceLog = 0;
        }
    }

    @Override
    public void close() {
        if (spool != null) {
            spool.close();
        } else if (!isEmpty()) {
            LOG.warn("listener={} store_and_forward {} undelivered report(s) ({} bytes) are lost with this process "
                    + "(store-and-forward.mode=memory; mode=disk keeps them across restarts)", listener, waitingCount(), waitingBytes());
        }
    }
}
