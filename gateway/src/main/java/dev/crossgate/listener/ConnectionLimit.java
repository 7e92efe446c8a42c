package dev.crossgate.listener;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.RateLimitedWarning;
import dev.crossgate.admin.Stats;
import io.netty.channel.Channel;

/**
 * At most {@code max-connections} open connections on a listener: one more is closed as soon as it is accepted (not
 * queued, so the connections already admitted keep their latency), counted, and logged at most once a second.
 */
final class ConnectionLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

    private final String listener;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused;
    private final RateLimitedWarning warning = new RateLimitedWarning();

    ConnectionLimit(String listener, int max, Stats stats) {
        this.listener = listener;
        this.max = max;
        this.refused = stats.counter("listener." + listener + ".connections_refused");
        stats.gauge("listener." + listener + ".connections_open", open::get);
    }

    /** Whether the accepted connection may stay; if not it is closed here. Called on the connection's event loop. */
    boolean admit(Channel connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.increment();
            if (warning.due()) {
                LOG.warn("listener={} connections_refused: {} connections are open, the limit is {} "
                        + "(crossgate.listeners.{}.max-connections); new ones are closed at once{}", listener, max, max, listener,
                        warning.leftOut());
            }
            connection.close();
            return false;
        }
        connection.closeFuture().addListener(closed -> open.decrementAndGet());
        return true;
    }
}
