package dev.crossgate.connector;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The HTTP/1.1 connections of one connector, kept per event loop: a client connection borrows one of its own loop's, so
 * lending, returning and every byte after stay on one thread, with no lock and no hand-off. The most recently returned is
 * lent first (its TLS session and socket buffers are warm); one idle longer than {@code maxIdle} is closed. When the
 * connector's TLS context rotates, the idle connections of the old one are closed at the next request, so new exchanges
 * use the new context while those in flight finish on the old one.
 *
 * <p>At most {@code max-connections} are open over all loops. A request that finds them all in use waits, in order, for
 * one of its loop's to be given back or for any to close (then it dials), at most {@code max-pending-requests} of them and
 * each at most the connect timeout. While requests wait, a connection given back on a loop where none waits is closed and
 * the other loops close their idle ones, so the slot goes where it is wanted: a loop can lend only its own.
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

    /**
     * The largest piece of a response body the decoder hands on at once; it hands on what it has read, so this costs no
     * memory. Netty's default, 8 KiB, cut a 16 KiB body into three: three HTTP/1.1 writes, or for HTTP/2 three DATA
     * writes the flow controller merged into one composite buffer, which the TLS handler copied through a heap buffer
     * it made for each frame: 6.5 % of the CPU of an HTTP/2 16 KiB request (async-profiler, 12-03), gone with this.
     */
    private static final HttpDecoderConfig RESPONSE_DECODING = new HttpDecoderConfig().setMaxChunkSize(64 * 1024);

    /** A request for a connection: served by a dial, or queued until one is given back or a slot frees. */
    private static final class Waiter {
        final Promise<Channel> promise;
        final Supplier<ChannelHandler> handler;
        ScheduledFuture<?> expiry;
        boolean queued;

        Waiter(Promise<Channel> promise, Supplier<ChannelHandler> handler) {
            this.promise = promise;
            this.handler = handler;
        }
    }

    /** One event loop's idle connections (all dialled under {@code context}, oldest first) and the requests waiting on it. */
    private final class Loop {
        EventLoop eventLoop;
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        SslContext context;
        boolean sweeping;

        void sweep() {
            long now = System.nanoTime();
            for (Channel oldest; (oldest = idle.peekFirst()) != null && now - oldest.attr(LEASE).get().idleSince >= maxIdleNanos; ) {
                idle.pollFirst().close();
            }
            sweeping = !idle.isEmpty();
            if (sweeping) {
                eventLoop.schedule(this::sweep, maxIdleNanos, TimeUnit.NANOSECONDS);
            }
        }

        void closeOneIdleWhileRequestsWait() {
            Channel oldest = pending.get() > 0 ? idle.pollFirst() : null;
            if (oldest != null) {
                oldest.close(); // its slot goes to a request waiting on another loop, which dials when the close is done
            }
        }

        /** Takes up the connector's newest context; idle connections dialled with an older one are closed. */
        void refresh() {
            SslContext current = dialer.context();
            if (context != current) {
                for (Channel stale; (stale = idle.poll()) != null; ) {
                    stale.close();
                }
                context = current;
            }
        }
    }

    private final Dialer dialer;
    private final long maxIdleNanos;
    private final int maxConnections;
    private final int maxPending;
    private final long maxWaitNanos;
    private final LongAdder waited;
    /** Connections open or being dialled, over all event loops: counted per dial and per close, never per request. */
    private final AtomicInteger open = new AtomicInteger();
    /** Requests waiting for a connection, over all event loops. */
    private final AtomicInteger pending = new AtomicInteger();
    private final List<Loop> loops = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<Loop> local = new FastThreadLocal<>() {
        @Override
        protected Loop initialValue() {
            return new Loop();
        }
    };

    /**
     * @param maxWait how long a request waits for a connection when {@code maxConnections} are open
     * @param waited  counts the requests that waited
     */
    Http1Pool(Dialer dialer, Duration maxIdle, int maxConnections, int maxPending, Duration maxWait, LongAdder waited) {
        this.dialer = dialer;
        this.maxIdleNanos = maxIdle.toNanos();
        this.maxConnections = maxConnections;
        this.maxPending = maxPending;
        this.maxWaitNanos = maxWait.toNanos();
        this.waited = waited;
    }

    /** Connections open or being dialled now. */
    public int open() {
        return open.get();
    }

    /** Requests waiting for a connection now. */
    public int pending() {
        return pending.get();
    }

    private Loop loop(EventLoop eventLoop) {
        Loop here = local.get();
        if (here.eventLoop == null) {
            here.eventLoop = eventLoop;
            loops.add(here);
        }
        return here;
    }

    /**
     * An idle connection of {@code loop} (called on it), or null.
     *
     * @throws IllegalStateException while the connector's TLS material is missing
     */
    public Channel lend(EventLoop loop) {
        Loop here = loop(loop);
        here.refresh();
        for (Channel channel; (channel = here.idle.pollLast()) != null; ) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /**
     * A new connection of {@code loop} (called on it) whose pipeline ends in an HTTP/1.1 codec and {@code handler}'s; when
     * {@code max-connections} are open, the first one free. Fails with {@link HttpConnector.UpstreamFailure} (exhausted)
     * when {@code max-pending-requests} already wait or none frees in time. Cancelling it stops the wait.
     *
     * @throws IllegalStateException while the connector's TLS material is missing
     */
    public Future<Channel> connect(EventLoop loop, Supplier<ChannelHandler> handler) {
        Loop here = loop(loop);
        here.refresh();
        Waiter waiter = new Waiter(loop.newPromise(), handler);
        if (here.waiters.isEmpty() && reserve()) {
            dial(here, waiter);
            return waiter.promise;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            return waiter.promise.setFailure(new HttpConnector.UpstreamFailure(HttpConnector.Failure.EXHAUSTED,
                    maxConnections + " connections to the backend open, all in use, and " + maxPending + " requests waiting for one"));
        }
        waited.increment();
        waiter.queued = true;
        here.waiters.addLast(waiter);
        waiter.expiry = loop.schedule(() -> {
            leave(here, waiter);
            waiter.promise.tryFailure(new HttpConnector.UpstreamFailure(HttpConnector.Failure.EXHAUSTED, maxConnections
                    + " connections to the backend open, all in use, and none free within " + Duration.ofNanos(maxWaitNanos).toMillis() + " ms"));
        }, maxWaitNanos, TimeUnit.NANOSECONDS);
        waiter.promise.addListener(cancelled -> leave(here, waiter)); // the client left while it waited
        for (Loop other : loops) {
            if (other != here) {
                other.eventLoop.execute(other::closeOneIdleWhileRequestsWait);
            }
        }
        serve(here); // a slot may have freed since reserve() said no
        return waiter.promise;
    }

    /** Gives back a connection that finished an exchange cleanly; called on its event loop. */
    public void release(Channel channel) {
        Lease lease = channel.attr(LEASE).get();
        Loop here = loop(channel.eventLoop());
        if (!channel.isActive() || lease.context != here.context) {
            channel.close(); // dialled before the connector's TLS context rotated: it has finished its work
            return;
        }
        for (Waiter next; (next = here.waiters.peekFirst()) != null; ) {
            leave(here, next);
            if (next.promise.trySuccess(channel)) {
                return;
            }
        }
        if (pending.get() > 0) {
            channel.close(); // requests wait on another event loop, which cannot borrow this one: its slot is theirs
            return;
        }
        lease.idleSince = System.nanoTime();
        here.idle.addLast(channel);
        if (!here.sweeping) {
            here.sweeping = true;
            here.eventLoop.schedule(here::sweep, maxIdleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private boolean reserve() {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    private void leave(Loop here, Waiter waiter) {
        if (waiter.queued) {
            waiter.queued = false;
            here.waiters.remove(waiter);
            pending.decrementAndGet();
            waiter.expiry.cancel(false);
        }
    }

    /** Dials for the requests waiting on {@code here} while slots are free. */
    private void serve(Loop here) {
        if (here.waiters.isEmpty()) {
            return;
        }
        here.refresh(); // woken by a close, maybe after a rotation
        for (Waiter next; (next = here.waiters.peekFirst()) != null && reserve(); ) {
            leave(here, next);
            dial(here, next);
        }
    }

    private void dial(Loop here, Waiter waiter) {
        ChannelFuture dialled = dialer.dial(here.eventLoop, here.context, false,
                pipeline -> pipeline.addLast(new HttpClientCodec(RESPONSE_DECODING, false, false), waiter.handler.get()));
        Channel channel = dialled.channel();
        channel.attr(LEASE).set(new Lease(here.context));
        // an idle connection the backend closes leaves the pool at once, and its slot goes to a request that waits
        channel.closeFuture().addListener(closed -> {
            here.idle.remove(channel);
            open.decrementAndGet();
            if (pending.get() > 0) {
                for (Loop loop : loops) {
                    loop.eventLoop.execute(() -> serve(loop));
                }
            }
        });
        dialled.addListener(done -> {
            if (!done.isSuccess()) {
                waiter.promise.tryFailure(done.cause());
            } else if (!waiter.promise.trySuccess(channel)) {
                release(channel); // the request it was for has gone: the next one takes it
            }
        });
    }
}
