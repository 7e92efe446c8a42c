package dev.crossgate.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import reactor.netty.NettyPipeline;

/**
 * The HTTP/2 streams of one client connection, each forwarded by its own {@link HttpForwarder}, without a channel per
 * stream. Netty's frame codec stays in the connection's pipeline (settings, flow control, flood and reset limits); this
 * handler takes the place of Netty's multiplexer and turns each stream's frames into HTTP objects and back. A stream
 * costs a forwarder and a {@link Stream}; a child channel cost a channel, its pipeline, a codec pass and a promise per
 * write, which made HTTP/2 dearer than HTTP/1.1 per request.
 *
 * <p>Back-pressure: the window of a request body is given back to the client only while its forwarder reads, that is
 * while the backend takes the body; a response waits in the codec's flow controller, and its backend is not read, while
 * the stream cannot send. A stream of which not one byte could be sent for a whole {@code write-timeout} while its
 * response waits is reset and counted as {@code write_timeout}, alone: the connection and its other streams go on.
 *
 * <p>Idle connections: one that reads no frame and flushes nothing for {@code idle-timeout} is closed (the codec says
 * GOAWAY first), as Reactor Netty's idle handler closed it; that handler stamped every write's completion through a
 * promise and a listener of its own, which made each frame written dearer.
 */
final class Http2Streams extends ChannelInboundHandlerAdapter {

    static final String NAME = "crossgate.http2-streams";

    private final Http2Connection http2;
    private final Http2LocalFlowController inbound;
    private final Http2RemoteFlowController outbound;
    private final Supplier<HttpForwarder> forwarders;
    private final SendStall stalls;
    private final long idleTimeoutNanos;
    private final IntObjectMap<Stream> streams = new IntObjectHashMap<>();
    /** Streams given a message in the current read: each is told when the read completes, to flush its backend once. */
    private final List<Stream> reading = new ArrayList<>();
    private ChannelHandlerContext ctx;
    /** Frames are written without a promise each: a write that fails ends in the stream's reset or the connection's close. */
    private ChannelPromise quiet;
    /** When the connection last read a frame or flushed one: taken once per read and per flush, not per frame. */
    private long lastActivityNanos;
    private ScheduledFuture<?> idleCheck;

    /**
     * Takes the streams of an HTTP/2 connection over from Reactor Netty, whose HTTP/2 codec stays: each new stream is
     * forwarded by a forwarder from {@code forwarders}; the connection is closed once idle for {@code idleTimeoutNanos}.
     */
    static void takeOver(ChannelPipeline pipeline, Supplier<HttpForwarder> forwarders, SendStall stalls, long idleTimeoutNanos) {
        Http2Connection http2 = pipeline.get(Http2FrameCodec.class).connection();
        pipeline.replace(NettyPipeline.H2MultiplexHandler, NAME, new Http2Streams(http2, forwarders, stalls, idleTimeoutNanos));
        if (pipeline.get(NettyPipeline.IdleTimeoutHandler) != null) {
            pipeline.remove(NettyPipeline.IdleTimeoutHandler); // this handler keeps the idle clock itself
        }
    }

    private Http2Streams(Http2Connection http2, Supplier<HttpForwarder> forwarders, SendStall stalls, long idleTimeoutNanos) {
        this.http2 = http2;
        this.inbound = http2.local().flowController();
        this.outbound = http2.remote().flowController();
        this.forwarders = forwarders;
        this.stalls = stalls;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.quiet = new VoidChannelPromise(ctx.channel(), false);
        lastActivityNanos = System.nanoTime();
        checkIdleIn(idleTimeoutNanos);
    }

    private void checkIdleIn(long delayNanos) {
        idleCheck = ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        idleCheck = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = System.nanoTime() - lastActivityNanos;
        if (idle >= idleTimeoutNanos) {
            ctx.close();
            return;
        }
        checkIdleIn(idleTimeoutNanos - idle);
    }

    private void flush() {
        lastActivityNanos = System.nanoTime();
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (message instanceof Http2HeadersFrame headers) {
            headers(headers);
        } else if (message instanceof Http2DataFrame data) {
            data(data);
        } else if (message instanceof Http2WindowUpdateFrame update) {
            Stream stream = streams.get(update.stream().id());
            if (stream != null) {
                stream.granted += update.windowSizeIncrement();
            }
        } else {
            // settings, pings, GOAWAY, resets (the stream's close follows), priorities: the codec has acted on them
            ReferenceCountUtil.release(message);
        }
    }

    private void headers(Http2HeadersFrame frame) {
        int id = frame.stream().id();
        Stream stream = streams.get(id);
        if (stream != null) {
            // the trailers of a request body (the codec allows a second HEADERS only with END_STREAM)
            LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            try {
                HttpConversionUtil.addHttp2ToHttpHeaders(id, frame.headers(), last.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
            } catch (Http2Exception | RuntimeException malformed) {
                stream.reset(Http2Error.PROTOCOL_ERROR);
                return;
            }
            stream.deliver(last);
            return;
        }
        Http2Stream state = http2.stream(id);
        if (state == null) {
            return; // closed meanwhile: nothing to answer
        }
        stream = new Stream(frame.stream(), state, forwarders.get());
        streams.put(id, stream);
        HttpRequest request;
        try {
            if (frame.isEndStream()) {
                request = HttpConversionUtil.toFullHttpRequest(id, frame.headers(), Unpooled.EMPTY_BUFFER, true);
            } else {
                request = HttpConversionUtil.toHttpRequest(id, frame.headers(), true);
                if (!HttpUtil.isContentLengthSet(request)) {
                    request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // its length is not known
                }
            }
        } catch (Http2Exception | RuntimeException malformed) {
            stream.reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        stream.forwarder.attach(stream);
        stream.deliver(request);
    }

    private void data(Http2DataFrame frame) {
        int bytes = frame.initialFlowControlledBytes();
        Stream stream = streams.get(frame.stream().id());
        if (stream == null) {
            frame.release();
            return; // a stream reset for a malformed request: the codec gives its window back when it closes
        }
        HttpContent content = frame.isEndStream() ? new DefaultLastHttpContent(frame.content()) : new DefaultHttpContent(frame.content());
        stream.deliver(content);
        stream.consumed(bytes);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        for (int i = 0; i < reading.size(); i++) {
            Stream stream = reading.get(i);
            stream.inRead = false;
            stream.forwarder.readComplete();
        }
        reading.clear();
        ctx.fireChannelReadComplete(); // the codec flushes after it: window updates and responses leave together
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof Http2FrameStreamEvent change)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        Http2FrameStream frames = change.stream();
        Stream stream = streams.get(frames.id());
        if (stream == null) {
            return;
        }
        if (change.type() == Http2FrameStreamEvent.Type.Writability) {
            stream.writabilityChanged();
        } else if (frames.state() == Http2Stream.State.CLOSED) {
            streams.remove(frames.id());
            stream.closed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException failure) {
            // a stream's own protocol error (the codec leaves the reset to whoever owns the stream)
            Stream stream = streams.get(failure.stream().id());
            if (stream != null) {
                stream.reset(failure.error());
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the codec closes its streams first, which ends most exchanges; what is left goes now
        for (Stream stream : streams.values()) {
            stream.closed();
        }
        streams.clear();
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        ctx.fireChannelInactive();
    }

    /** One stream of the connection, as its forwarder's client. */
    private final class Stream implements HttpForwarder.Client {
        private final Http2FrameStream frames;
        /** The codec's stream, which holds its flow-control windows. */
        private final Http2Stream state;
        final HttpForwarder forwarder;
        private boolean closed;
        boolean inRead;
        private boolean readingOn = true;
        /** Bytes of the request body taken while reading was off, whose window goes back to the client when it is on again. */
        private int unconsumed;
        /**
         * Window the client has granted this stream, over its life. With the stream's window now and then it tells how
         * much was sent in between: what tells a slow reader from one that takes nothing (or grants a stream window
         * while holding the connection's at zero).
         */
        long granted;
        private long grantedAtCheck;
        private int windowAtCheck;
        private ScheduledFuture<?> stallCheck;

        Stream(Http2FrameStream frames, Http2Stream state, HttpForwarder forwarder) {
            this.frames = frames;
            this.state = state;
            this.forwarder = forwarder;
        }

        void deliver(HttpObject message) {
            if (!inRead) {
                inRead = true;
                reading.add(this);
            }
            try {
                forwarder.read(message);
            } catch (RuntimeException bug) {
                reset(Http2Error.INTERNAL_ERROR); // this stream's exchange is lost, not the connection's others
                ctx.fireExceptionCaught(bug);
            }
        }

        void consumed(int bytes) {
            if (!readingOn) {
                unconsumed += bytes;
            } else if (!closed) {
                giveBack(bytes);
            }
        }

        /** Returns window to the client; true when that wrote a WINDOW_UPDATE, which waits for a flush. */
        private boolean giveBack(int bytes) {
            try {
                return inbound.consumeBytes(state, bytes);
            } catch (Http2Exception e) {
                throw new IllegalStateException("HTTP/2 stream " + frames.id() + ": window accounting", e);
            }
        }

        @Override
        public Channel connection() {
            return ctx.channel();
        }

        @Override
        public void write(HttpObject message) {
            if (closed) {
                ReferenceCountUtil.release(message); // reset by the client meanwhile
                return;
            }
            if (message instanceof HttpResponse response) {
                boolean informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                boolean ends = !informational && message instanceof FullHttpResponse full && !full.content().isReadable()
                        && full.trailingHeaders().isEmpty();
                ctx.write(new DefaultHttp2HeadersFrame(Http2ResponseHeaders.of(response), ends).stream(frames), quiet);
                if (informational || ends) {
                    ReferenceCountUtil.release(message);
                    return;
                }
            }
            if (message instanceof LastHttpContent last) {
                boolean trailers = !last.trailingHeaders().isEmpty();
                if (last.content().isReadable() || !trailers && !(last instanceof FullHttpResponse)) {
                    ctx.write(new DefaultHttp2DataFrame(last.content(), !trailers).stream(frames), quiet);
                } else {
                    last.release();
                }
                if (trailers) {
                    ctx.write(new DefaultHttp2HeadersFrame(Http2ResponseHeaders.trailers(last.trailingHeaders()), true)
                            .stream(frames), quiet);
                }
            } else if (message instanceof HttpContent content) {
                ctx.write(new DefaultHttp2DataFrame(content.content(), false).stream(frames), quiet);
            }
            if (message instanceof HttpContent) {
                watchForStall(); // a stream whose window was closed from its start never changes writability: no event says so
            }
        }

        @Override
        public void flush() {
            Http2Streams.this.flush();
        }

        @Override
        public void reading(boolean on) {
            readingOn = on;
            if (on && unconsumed > 0 && !closed) {
                int bytes = unconsumed;
                unconsumed = 0;
                if (giveBack(bytes)) {
                    Http2Streams.this.flush();
                }
            }
        }

        @Override
        public boolean isWritable() {
            return !closed && outbound.isWritable(state);
        }

        @Override
        public boolean isActive() {
            return !closed && ctx.channel().isActive();
        }

        @Override
        public void close() {
            reset(Http2Error.CANCEL);
        }

        /** A stream ends with its response; there is nothing to wait for before ending it otherwise. */
        @Override
        public void closeAfterWrites() {
            close();
        }

        void reset(Http2Error error) {
            if (!closed) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(error).stream(frames), quiet); // the codec then closes the stream
            }
        }

        void closed() {
            if (closed) {
                return;
            }
            closed = true;
            if (stallCheck != null) {
                stallCheck.cancel(false);
                stallCheck = null;
            }
            forwarder.inactive();
        }

        void writabilityChanged() {
            forwarder.writabilityChanged();
            watchForStall();
        }

        private void watchForStall() {
            if (stallCheck == null && !closed && !outbound.isWritable(state)) {
                scheduleStallCheck();
            }
        }

        private void scheduleStallCheck() {
            grantedAtCheck = granted;
            windowAtCheck = outbound.windowSize(state);
            stallCheck = ctx.executor().schedule(this::checkStall, stalls.timeoutNanos(), TimeUnit.NANOSECONDS);
        }

        /** Once per write-timeout while the stream cannot send: reset only if not one byte of it was sent in that time. */
        private void checkStall() {
            stallCheck = null;
            if (closed || outbound.isWritable(state)) {
                return;
            }
            long sent = windowAtCheck + (granted - grantedAtCheck) - outbound.windowSize(state);
            if (sent > 0) {
                scheduleStallCheck();
                return; // slow, not stalled
            }
            stalls.stalled(ctx.channel());
            reset(Http2Error.CANCEL);
        }
    }
}
