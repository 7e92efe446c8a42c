package dev.crossgate.connector;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The idle HTTP/1.1 connections of one connector, kept per event loop: a client connection borrows one of its own loop's,
 * so lending, returning and every byte after stay on one thread, with no lock and no hand-off. The most recently returned
 * is lent first (its TLS session and socket buffers are warm); one idle longer than {@code maxIdle} is closed. When the
 * connector's TLS context rotates, the idle connections of the old one are closed at the next request, so new exchanges
 * use the new context while those in flight finish on the old one.
 */
public final class Http1Pool {

    /** What a connection was dialled with, and since when it has been idle. */
    private static final class Lease {
        final SslContext context;
        long idleSince;

        Lease(SslContext context) {
            this.context = context;
        }
    }

    private static final AttributeKey<Lease> LEASE = AttributeKey.valueOf("crossgate.http1-lease");

    /** One event loop's idle connections, all dialled under {@code context}, oldest first. */
    private final class Idle {
        final ArrayDeque<Channel> channels = new ArrayDeque<>();
        SslContext context;
        boolean sweeping;

        void sweep(EventLoop loop) {
            long now = System.nanoTime();
            for (Channel oldest; (oldest = channels.peekFirst()) != null && now - oldest.attr(LEASE).get().idleSince >= maxIdleNanos; ) {
                channels.pollFirst().close();
            }
            sweeping = !channels.isEmpty();
            if (sweeping) {
                loop.schedule(() -> sweep(loop), maxIdleNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private final Dialer dialer;
    private final long maxIdleNanos;
    private final int maxConnections;
    /** Connections open or being dialled, over all event loops: counted per dial and per close, never per request. */
    private final AtomicInteger open = new AtomicInteger();
    private final FastThreadLocal<Idle> idle = new FastThreadLocal<>() {
        @Override
        protected Idle initialValue() {
            return new Idle();
        }
    };

    Http1Pool(Dialer dialer, java.time.Duration maxIdle, int maxConnections) {
        this.dialer = dialer;
        this.maxIdleNanos = maxIdle.toNanos();
        this.maxConnections = maxConnections;
    }

    /**
     * An idle connection of {@code loop} (called on it), else a new one whose pipeline ends in an HTTP/1.1 codec and
     * {@code handler}'s.
     *
     * @throws IllegalStateException while the connector's TLS material is missing
     * @throws HttpConnector.ConnectionsExhaustedException when none is idle here and {@code max-connections} are open
     */
    public ChannelFuture acquire(EventLoop loop, Supplier<ChannelHandler> handler) throws HttpConnector.ConnectionsExhaustedException {
        SslContext context = dialer.context();
        Idle free = idle.get();
        if (free.context != context) {
            for (Channel stale; (stale = free.channels.poll()) != null; ) {
                stale.close();
            }
            free.context = context;
        }
        for (Channel channel; (channel = free.channels.pollLast()) != null; ) {
            if (channel.isActive()) {
                return channel.newSucceededFuture();
            }
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            throw new HttpConnector.ConnectionsExhaustedException(maxConnections);
        }
        ChannelFuture dialled = dialer.dial(loop, context, false, pipeline -> pipeline.addLast(new HttpClientCodec(), handler.get()));
        Channel channel = dialled.channel();
        channel.attr(LEASE).set(new Lease(context));
        // an idle connection the backend closes leaves the pool at once
        channel.closeFuture().addListener(closed -> {
            free.channels.remove(channel);
            open.decrementAndGet();
        });
        return dialled;
    }

    /** Gives back a connection that finished an exchange cleanly; called on its event loop. */
    public void release(Channel channel) {
        Lease lease = channel.attr(LEASE).get();
        Idle free = idle.get();
        if (!channel.isActive() || lease.context != free.context) {
            channel.close(); // dialled before the connector's TLS context rotated: it has finished its work
            return;
        }
        lease.idleSince = System.nanoTime();
        free.channels.addLast(channel);
        if (!free.sweeping) {
            free.sweeping = true;
            EventLoop loop = channel.eventLoop();
            loop.schedule(() -> free.sweep(loop), maxIdleNanos, TimeUnit.NANOSECONDS);
        }
    }
}
