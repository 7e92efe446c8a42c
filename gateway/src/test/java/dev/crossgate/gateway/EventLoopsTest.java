package dev.crossgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

import dev.crossgate.config.IoConfig;
import dev.crossgate.config.IoConfig.BusyPoll;

class EventLoopsTest {

    /**
     * Busy-polling loops serve a connection on non-blocking threads, hand a client connection made on a loop that same
     * loop, go back to sleep once the traffic stops, and shut down: polling every time or only while it pays.
     */
    @Test
    void loopsPollingForAFixedWindowServeColocateSleepWhenIdleAndStop() throws Exception {
        serveColocateSleepWhenIdleAndStop(new BusyPoll(Duration.ofMillis(1), false));
    }

    @Test
    void loopsPollingWhileItPaysServeColocateSleepWhenIdleAndStop() throws Exception {
        serveColocateSleepWhenIdleAndStop(BusyPoll.AUTO);
    }

    /**
     * A loop kept busy (each message takes it 100 us) by a client that answers at once polls and catches its next
     * messages, counted for /stats; once the client sends only one message every 2 ms the loop stops polling.
     */
    @Test
    void anAdaptiveLoopKeptBusyPollsAndCatchesWorkThenStopsUnderLightLoad() throws Exception {
        BusyPollStrategy.Counts counts = new BusyPollStrategy.Counts();
        LoopResources loops = EventLoops.create(new IoConfig(1, BusyPoll.AUTO), counts);
        Channel server = echoServer(loops, () -> {
            long until = System.nanoTime() + 100_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(5000);
                client.setTcpNoDelay(true);
                while (counts.caught.sum() < 200 && System.nanoTime() < deadline) {
                    client.getOutputStream().write(1);
                    assertThat(client.getInputStream().read()).isEqualTo(1);
                }
                assertThat(counts.caught.sum()).as("polls that caught the client's next message").isGreaterThanOrEqualTo(200);
                assertThat(counts.pollingNanos.sum()).isPositive();

                // 5 % busy: after the period that saw the change (10 ms) the loop sleeps at once, where a fixed window
                // would poll (and miss) after every message
                long polls = 0;
                for (int i = 0; i < 60; i++) {
                    if (i == 20) {
                        polls = counts.caught.sum() + counts.missed.sum();
                    }
                    Thread.sleep(2);
                    client.getOutputStream().write(1);
                    assertThat(client.getInputStream().read()).isEqualTo(1);
                }
                assertThat(counts.caught.sum() + counts.missed.sum()).as("polls under light load").isEqualTo(polls);
            }
        } finally {
            server.close().sync();
            loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
        }
    }

    private static void serveColocateSleepWhenIdleAndStop(BusyPoll poll) throws Exception {
        LoopResources loops = EventLoops.create(new IoConfig(2, poll), new BusyPollStrategy.Counts());
        CompletableFuture<Thread> servedOn = new CompletableFuture<>();
        CompletableFuture<Boolean> nonBlocking = new CompletableFuture<>();
        CompletableFuture<EventLoop> clientLoop = new CompletableFuture<>();
        Channel server = echoServer(loops, () -> {
            servedOn.complete(Thread.currentThread());
            nonBlocking.complete(Schedulers.isInNonBlockingThread());
            clientLoop.complete(loops.onClient(true).next());
        });
        try {
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                client.setSoTimeout(5000);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                for (int i = 0; i < 100; i++) {
                    out.write(i);
                    assertThat(in.read()).isEqualTo(i);
                }
            }
            Thread loop = servedOn.get(5, TimeUnit.SECONDS);
            assertThat(loop.getName()).matches("crossgate-(epoll|nio)-\\d+");
            assertThat(nonBlocking.get(5, TimeUnit.SECONDS)).as("a blocking call on a loop fails fast").isTrue();
            assertThat(clientLoop.get(5, TimeUnit.SECONDS).inEventLoop(loop)).as("a client connection stays on its loop").isTrue();

            // a loop that polled for ever would spend all of the second in CPU time; one that sleeps, next to nothing
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Thread.sleep(100);
            long before = threads.getThreadCpuTime(loop.getId());
            Thread.sleep(1000);
            long spent = threads.getThreadCpuTime(loop.getId()) - before;
            assertThat(Duration.ofNanos(spent)).isLessThan(Duration.ofMillis(200));
        } finally {
            server.close().sync();
            loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
        }
        assertThat(loops.isDisposed()).isTrue();
        // the group's termination is signalled by its threads just before they end
        servedOn.get().join(5000);
        assertThat(servedOn.get().isAlive()).isFalse();
    }

    /** A server on the loops that echoes what it reads, {@code onRead} run on the loop before each echo. */
    private static Channel echoServer(LoopResources loops, Runnable onRead) throws InterruptedException {
        return new ServerBootstrap().group(loops.onServerSelect(true), loops.onServer(true))
                .channel(loops.onChannelClass(ServerSocketChannel.class, loops.onServer(true)))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext context, Object message) {
                                onRead.run();
                                context.writeAndFlush(message);
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }
}
