package dev.crossgate.listener;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** One attribute per connection, looked up once per request: the proxy keeps the object, not the key. */
    private static final AttributeKey<Age> AGE = AttributeKey.valueOf("crossgate.connection-age");

    /**
     * The TLS generation a connection was accepted under, whether it has been retired, and its requests in flight. Requests
     * run on the connection's event loop, retirement on a timer thread: hence the atomics, and a connection is retired once.
     */
    static final class Age {
        private final long generation;
        private final AtomicInteger busy = new AtomicInteger();
        private final AtomicBoolean retired = new AtomicBoolean();

        private Age(long generation) {
            this.generation = generation;
        }

        /** Not tracked (a plaintext listener): never retired. */
        static final Age NONE = new Age(Long.MAX_VALUE);

        boolean retired() {
            return retired.get();
        }
    }

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
        channel.attr(AGE).set(new Age(generation));
        channels.add(channel);
    }

    /** Called when generation {@code current} starts serving: connections of earlier generations have {@code maxAge} left. */
    void rotated(long current) {
        timers.schedule(() -> retireBefore(current), maxAge.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void retireBefore(long generation) {
        int count = 0;
        for (Channel channel : channels) {
            Age age = channel.attr(AGE).get();
            if (age != null && age.generation < generation && age.retired.compareAndSet(false, true)) {
                count++;
                retired.increment();
                if (age.busy.get() == 0) {
                    closeAfterFlush(channel);
                }
            }
        }
        if (count > 0) {
            LOG.info("listener={} retired {} connection(s) opened under replaced TLS material, {} after the rotation", listener, count, maxAge);
        }
    }

    /** A request starts on {@code channel}: its age, to ask {@link Age#retired()} and to hand to {@link #requestEnded}. */
    static Age requestStarted(Channel channel) {
        Age age = channel.attr(AGE).get();
        if (age == null) {
            return Age.NONE;
        }
        age.busy.incrementAndGet();
        return age;
    }

    /** A request ended; a retired connection with nothing else in flight is closed now. */
    static void requestEnded(Channel channel, Age age) {
        if (age != Age.NONE && age.busy.decrementAndGet() == 0 && age.retired()) {
            closeAfterFlush(channel);
        }
    }

    private static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
