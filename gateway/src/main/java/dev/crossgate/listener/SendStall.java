package dev.crossgate.listener;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.admin.LogFields;
import dev.crossgate.admin.RateLimitedWarning;
import dev.crossgate.admin.Stats;
import dev.crossgate.config.ListenerConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A client that stops reading while the gateway has data for it: back-pressure already stops the gateway from
 * buffering (the socket turns unwritable and the backend is no longer read), so the client only holds its
 * connection and a backend's. Once a whole {@code write-timeout} passes without a byte drained, it is closed,
 * counted ({@code write_timeout}) and logged at most once a second. A slow reader is not a stalled one: a byte
 * drained in the timeout restarts the wait. Nothing is done per write: only the writability changes, which Netty
 * reports at its watermarks, start or stop the clock. An HTTP/2 stream is watched on its own: a client that keeps a
 * stream's flow-control window at zero stalls that stream alone, and only that stream is reset (a stream forwarded by
 * {@link Http2Streams} runs its own clock there and reports here).
 */
final class SendStall {

    private static final Logger LOG = LoggerFactory.getLogger("crossgate.limits");

    private final String listener;
    private final long timeoutNanos;
    private final LongAdder stalled;
    private final RateLimitedWarning warning = new RateLimitedWarning();

    SendStall(ListenerConfig config, Stats stats) {
        this.listener = config.name();
        this.timeoutNanos = config.limits().writeTimeout().toNanos();
        this.stalled = stats.counter("listener." + config.name() + ".write_timeout");
    }

    void watch(Channel connection) {
        connection.pipeline().addFirst("crossgate.send-stall", new Clock());
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** Counts a connection or stream about to be closed for taking nothing for a whole timeout, and says so. */
    void stalled(Channel connection) {
        stalled.increment();
        if (warning.due()) {
            LOG.warn("connection_closed listener={} peer={} reason=write_timeout detail=\"the client read nothing for {} while data "
                    + "waited for it\" setting={}{}", listener, LogFields.peer(connection.remoteAddress()),
                    dev.crossgate.certsource.Durations.format(java.time.Duration.ofNanos(timeoutNanos)),
                    ListenerConfig.PREFIX + listener + ".write-timeout", warning.leftOut());
        }
    }

    private final class Clock extends ChannelInboundHandlerAdapter {
        /** Bytes still to drain before the socket turns writable, when last looked at; -1 while writable. */
        private long backlog = -1;
        private ScheduledFuture<?> timer;

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            Channel connection = ctx.channel();
            if (connection.isWritable()) {
                backlog = -1;
            } else if (backlog < 0) {
                backlog = connection.bytesBeforeWritable();
                if (timer == null) {
                    timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
                }
            }
            super.channelWritabilityChanged(ctx);
        }

        /** Once per timeout while unwritable: closed only if nothing at all reached the client in that time. */
        private void check(ChannelHandlerContext ctx) {
            timer = null;
            Channel connection = ctx.channel();
            if (backlog < 0 || !connection.isActive()) {
                return;
            }
            long quietNanos = quietNanos(connection);
            if (quietNanos < timeoutNanos) {
                timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos - quietNanos, TimeUnit.NANOSECONDS);
                return; // slow, not stalled
            }
            stalled(connection);
            ctx.close();
        }

        /**
         * How long nothing has left for the client. The kernel knows (TCP_INFO: time since data was last sent, which
         * window probes to a reader that takes nothing do not reset); the socket buffer it drains into can hold
         * megabytes, so the gateway's own buffer may not move for a long time under a reader that does make progress.
         * Without the native transport, progress is judged from the gateway's buffer alone.
         */
        private long quietNanos(Channel connection) {
            if (connection instanceof io.netty.channel.epoll.EpollSocketChannel epoll) {
                return TimeUnit.MILLISECONDS.toNanos(epoll.tcpInfo().lastDataSent());
            }
            long now = connection.bytesBeforeWritable();
            if (now < backlog) {
                backlog = now;
                return 0;
            }
            return timeoutNanos;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            super.channelInactive(ctx);
        }
    }
}
