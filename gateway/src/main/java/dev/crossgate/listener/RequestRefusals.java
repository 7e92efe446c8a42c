package dev.crossgate.listener;

import java.util.concurrent.atomic.LongAdder;

import dev.crossgate.admin.Stats;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Counts the HTTP/1.1 requests the server refuses before they reach the proxy because they break a limit: headers
 * over {@code http.max-header-size} (431) and an over-long request line (414). Reactor Netty answers those itself;
 * this sees the answers go out. One instance serves every connection of a listener.
 */
@ChannelHandler.Sharable
final class RequestRefusals extends ChannelOutboundHandlerAdapter {

    private static final String NAME = "crossgate.refusals";

    private final LongAdder headersTooLarge;
    private final LongAdder uriTooLong;

    RequestRefusals(String listener, Stats stats) {
        this.headersTooLarge = stats.counter("listener." + listener + ".http.431");
        this.uriTooLong = stats.counter("listener." + listener + ".http.414");
    }

    /** Sits where Reactor Netty answers a request that breaks a decoder limit, once the connection speaks HTTP/1.1. */
    void watch(io.netty.channel.Channel channel) {
        var pipeline = channel.pipeline();
        if (pipeline.get(reactor.netty.NettyPipeline.HttpTrafficHandler) != null && pipeline.get(NAME) == null) {
            pipeline.addBefore(reactor.netty.NettyPipeline.HttpTrafficHandler, NAME, this);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
        if (message instanceof HttpResponse response) {
            int status = response.status().code();
            if (status == 431) {
                headersTooLarge.increment();
            } else if (status == 414) {
                uriTooLong.increment();
            }
        }
        ctx.write(message, promise);
    }
}
