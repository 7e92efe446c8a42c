package dev.crossgate.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ConnectorConfig;
import dev.crossgate.connector.TcpConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The passthrough listener's ClientHello reader gets whatever a client sends, in whatever pieces. Whatever it is, the
 * reader never throws past itself, never leaks a buffer, decides at most once, and when it routes, the bytes it held
 * go on complete and unchanged; when it refuses, none do. The seed is a real ClientHello from openssl s_client.
 */
class SniRouterFuzzTest {

    private static final Stats STATS = new Stats();
    private static final TcpConnector A = new TcpConnector(new ConnectorConfig("a", "127.0.0.1", 1,
            new ConnectorConfig.Tls(false, null, null, "127.0.0.1", false), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 0), null, null, STATS);
    private static final SniRouter.Routes ROUTES = new SniRouter.Routes("fuzz", Map.of("a.example", A, "*.wild.example", A), 10_000, STATS);

    /** What comes out of the reader: the route it chose, and the bytes it let through. */
    private static final class Downstream extends ChannelInboundHandlerAdapter {
        final List<SniRouter.Routed> routed = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SniRouter.Routed route) {
                routed.add(route);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf buffer = (ByteBuf) message;
            byte[] copy = new byte[buffer.readableBytes()];
            buffer.readBytes(copy);
            bytes.writeBytes(copy);
            buffer.release();
        }
    }

    @FuzzTest(maxDuration = "15s")
    void clientHello(FuzzedDataProvider data) {
        int piece = data.consumeInt(1, 512);
        byte[] sent = data.consumeRemainingAsBytes();
        Downstream downstream = new Downstream();
        EmbeddedChannel channel = new EmbeddedChannel(new SniRouter(ROUTES), downstream);
        List<ByteBuf> written = new ArrayList<>();
        int offset = 0;
        while (offset < sent.length && channel.isOpen()) {
            int length = Math.min(piece, sent.length - offset);
            ByteBuf buffer = Unpooled.copiedBuffer(sent, offset, length);
            written.add(buffer);
            channel.writeInbound(buffer);
            offset += length;
        }
        channel.checkException();

        assertThat(downstream.routed).hasSizeLessThanOrEqualTo(1);
        if (downstream.routed.isEmpty()) {
            assertThat(downstream.bytes.size()).as("nothing passes before a route is chosen").isZero();
        } else {
            byte[] through = downstream.bytes.toByteArray();
            assertThat(through).as("the held ClientHello goes on unchanged").isEqualTo(java.util.Arrays.copyOf(sent, offset));
        }
        channel.finishAndReleaseAll();
        for (ByteBuf buffer : written) {
            assertThat(buffer.refCnt()).as("every buffer the reader was given is released").isZero();
        }
    }
}
