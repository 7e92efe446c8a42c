package dev.crossgate.listener;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.Stats;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Keeps connections from living on under certificates that have been replaced: every connection is
 * tagged with the TLS generation it was accepted under, and {@code maxAge} after a rotation the older
 * ones are retired. A connection with a request in flight finishes it first (its response closes the
 * connection); an idle one is closed at once.
 */
final class ConnectionAges {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionAges.class);
    private static final AttributeKey<Long> GENERATION = AttributeKey.valueOf("crossgate.tls-generation");
    private static final AttributeKey<Boolean> RETIRED = AttributeKey.valueOf("crossgate.retired");
    private static final AttributeKey<AtomicInteger> BUSY = AttributeKey.valueOf("crossgate.requests-in-flight");

    private final String listener;
    private final Duration maxAge;
    private final EventExecutorGroup timers;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final LongAdder retired;

    ConnectionAges(String listener, Duration maxAge, EventExecutorGroup timers, Stats stats) {
        this.listener = listener;
        this.maxAge = maxAge;
        this.timers = timers;
        this.retired = stats.counter("listener." + listener + ".ssl.connections_retired_after_rotation");
    }

    void track(Channel channel, long generation) {
        channel.attr(GENERATION).set(generation);
        channels.add(channel);
    }

    /** Called when generation {@code current} starts serving: connections of earlier generations have {@code maxAge} left. */
    void rotated(long current) {
        timers.schedule(() -> retireBefore(current), maxAge.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void retireBefore(long generation) {
        int count = 0;
        for (Channel channel : channels) {
            Long born = channel.attr(GENERATION).get();
            if (born != null && born < generation && channel.attr(RETIRED).setIfAbsent(Boolean.TRUE) == null) {
                count++;
                retired.increment();
                AtomicInteger busy = channel.attr(BUSY).get();
                if (busy == null || busy.get() == 0) {
                    closeAfterFlush(channel);
                }
            }
        }
        if (count > 0) {
            LOG.info("listener={} retired {} connection(s) opened under replaced TLS material, {} after the rotation", listener, count, maxAge);
        }
    }

    /** A request starts on {@code channel}; returns whether the connection is retired and should close after it. */
    static boolean requestStarted(Channel channel) {
        AtomicInteger busy = channel.attr(BUSY).get();
        if (busy == null) {
            // once per connection, not per request
            AtomicInteger first = new AtomicInteger();
            busy = channel.attr(BUSY).setIfAbsent(first);
            busy = busy == null ? first : busy;
        }
        busy.incrementAndGet();
        return Boolean.TRUE.equals(channel.attr(RETIRED).get());
    }

    static boolean isRetired(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(RETIRED).get());
    }

    /** A request ended; a retired connection with nothing else in flight is closed now. */
    static void requestEnded(Channel channel) {
        AtomicInteger busy = channel.attr(BUSY).get();
        if (busy != null && busy.decrementAndGet() == 0 && Boolean.TRUE.equals(channel.attr(RETIRED).get())) {
            closeAfterFlush(channel);
        }
    }

    private static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
