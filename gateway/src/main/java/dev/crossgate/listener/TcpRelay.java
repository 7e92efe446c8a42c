package dev.crossgate.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * One direction of a TCP relay: what is read on this channel is written to its peer. Auto-read is off
 * and the next read is asked for only once the previous write has left, so a slow reader on either side
 * slows the other side down instead of making the gateway buffer. EOF (a half-close) is passed on as
 * EOF on plaintext sockets; TLS has no half-close, so there it ends the pair.
 */
final class TcpRelay extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    TcpRelay(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readMore(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        peer.writeAndFlush(message).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                readMore(ctx.channel());
            } else {
                ctx.close();
            }
        });
    }

    /** Asks for the next read, unless the input is already at EOF: epoll refuses reads on a half-closed socket. */
    static void readMore(Channel channel) {
        if (channel.isActive() && !(channel instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
            channel.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            passEndOfInput(ctx.channel(), peer);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        closeAfterFlush(peer);
    }

    /**
     * Our side will send no more: tell the peer the same way, or close both when a half-close cannot be
     * expressed. Both wait behind the writes already queued, which a bare shutdownOutput would discard.
     */
    static void passEndOfInput(Channel from, Channel to) {
        boolean plaintext = from.pipeline().get(SslHandler.class) == null && to.pipeline().get(SslHandler.class) == null;
        if (!plaintext || !(to instanceof DuplexChannel duplex) || !to.isActive()) {
            closeAfterFlush(to);
            closeAfterFlush(from);
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> duplex.shutdownOutput().addListener(shut -> {
            if (from instanceof DuplexChannel fromDuplex && fromDuplex.isOutputShutdown()) {
                from.close(); // both directions are done
                to.close();
            }
        }));
    }

    static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
