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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import org.junit.jupiter.api.Test;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SelectStrategy;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

import dev.crossgate.config.IoConfig;

class EventLoopsTest {

    /** What a busy poll of {@code window} decided, and how often it polled, when poll n finds {@code readyAtPoll(n)} events. */
    private record Polled(int strategy, int polls) {
        static Polled by(Duration window, boolean hasTasks, IntUnaryOperator readyAtPoll) throws Exception {
            AtomicInteger polls = new AtomicInteger();
            int strategy = new EventLoops.BusyPoll(window).calculateStrategy(() -> readyAtPoll.applyAsInt(polls.incrementAndGet()), hasTasks);
            return new Polled(strategy, polls.get());
        }
    }

    @Test
    void aBusyPollReturnsTheWorkThatArrivesWhileItPolls() throws Exception {
        assertThat(Polled.by(Duration.ofSeconds(5), false, poll -> poll < 3 ? 0 : 2)).isEqualTo(new Polled(2, 3));
    }

    @Test
    void aBusyPollSleepsWhenNothingArrivesWithinItsWindow() throws Exception {
        Polled polled = Polled.by(Duration.ofMillis(20), false, poll -> 0);
        assertThat(polled.strategy()).isEqualTo(SelectStrategy.SELECT);
        assertThat(polled.polls()).isGreaterThan(1);
    }

    @Test
    void aBusyPollDoesNotPollWhileTasksWait() throws Exception {
        assertThat(Polled.by(Duration.ofSeconds(5), true, poll -> 0)).isEqualTo(new Polled(0, 1));
    }

    /**
     * Busy-polling loops serve a connection on non-blocking threads, hand a client connection made on a loop that same
     * loop, go back to sleep once the traffic stops, and shut down.
     */
    @Test
    void busyPollingLoopsServeColocateSleepWhenIdleAndStop() throws Exception {
        LoopResources loops = EventLoops.create(new IoConfig(2, Duration.ofMillis(1)));
        CompletableFuture<Thread> servedOn = new CompletableFuture<>();
        CompletableFuture<Boolean> nonBlocking = new CompletableFuture<>();
        CompletableFuture<EventLoop> clientLoop = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(loops.onServerSelect(true), loops.onServer(true))
                .channel(loops.onChannelClass(ServerSocketChannel.class, loops.onServer(true)))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext context, Object message) {
                                servedOn.complete(Thread.currentThread());
                                nonBlocking.complete(Schedulers.isInNonBlockingThread());
                                clientLoop.complete(loops.onClient(true).next());
                                context.writeAndFlush(((ByteBuf) message).retain());
                                ((ByteBuf) message).release();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
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
        assertThat(servedOn.get().isAlive()).isFalse();
    }
}
