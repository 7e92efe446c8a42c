package dev.crossgate.gateway;

import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.FastThreadLocalThread;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.NonBlocking;
import reactor.netty.resources.LoopResources;

import dev.crossgate.config.IoConfig;
import dev.crossgate.config.IoConfig.BusyPoll;

/**
 * The event loops every listener, connector and the admin port share: Reactor Netty's, or with
 * {@code crossgate.io.busy-poll} the same loops waiting by {@link BusyPollStrategy}.
 */
final class EventLoops {

    private static final String PREFIX = "crossgate";

    private EventLoops() {
    }

    /** The loops, whose polls (none with {@code off}) are counted in {@code counts}. */
    static LoopResources create(IoConfig io, BusyPollStrategy.Counts counts) {
        if (io.busyPoll().off()) {
            return LoopResources.create(PREFIX, io.threads(), true);
        }
        return new BusyPolling(io.threads(), io.busyPoll(), counts);
    }

    /**
     * Reactor Netty's loop resources with the poll in each loop: one group serves servers and, colocated (a backend
     * connection made on the loop of the request that asked for it), clients.
     */
    private static final class BusyPolling implements LoopResources {

        private final EventLoopGroup loops;
        private final EventLoopGroup colocated;

        BusyPolling(int threads, BusyPoll poll, BusyPollStrategy.Counts counts) {
            SelectStrategyFactory perLoop = () -> BusyPollStrategy.of(poll, counts);
            boolean epoll = Epoll.isAvailable();
            IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory(0, perLoop)
                    : NioIoHandler.newFactory(SelectorProvider.provider(), perLoop);
            this.loops = new MultiThreadIoEventLoopGroup(threads, loopThreads(PREFIX + (epoll ? "-epoll" : "-nio")), handlers);
            this.colocated = LoopResources.colocate(loops);
        }

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return loops;
        }

        @Override
        public EventLoopGroup onServerSelect(boolean useNative) {
            return loops;
        }

        @Override
        public EventLoopGroup onClient(boolean useNative) {
            return colocated;
        }

        @Override
        public boolean daemon() {
            return true;
        }

        @Override
        public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            return Mono.defer(() -> {
                loops.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS);
                return Mono.<Void>create(sink -> loops.terminationFuture().addListener(done -> sink.success()));
            });
        }

        @Override
        public boolean isDisposed() {
            return loops.isTerminated();
        }
    }

    /** Threads as Reactor Netty names and marks them: blocking calls on them fail fast instead of stalling a loop. */
    private static ThreadFactory loopThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new NonBlockingThread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class NonBlockingThread extends FastThreadLocalThread implements NonBlocking {
        NonBlockingThread(Runnable task, String name) {
            super(task, name);
        }
    }
}
