package dev.crossgate.skywalking;

import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;

/**
 * Reads gRPC's length-prefixed messages (1 byte compressed flag, 4 bytes length, the message) out of a body that
 * arrives in arbitrary chunks. With a sink, each whole message is copied out; without, messages are only counted.
 */
public final class GrpcFrames {

    /** A larger message is refused rather than buffered: gRPC's own default limit is 4 MiB. */
    public static final int MAX_MESSAGE = 16 << 20;

    private final byte[] header = new byte[5];
    private final Consumer<byte[]> sink;
    private int headerRead;
    private int length;
    private byte[] message;
    private int messageRead;
    private long messages;
    private long bytes;

    /** @param sink receives each whole message; null to count only */
    public GrpcFrames(Consumer<byte[]> sink) {
        this.sink = sink;
    }

    /** Reads what {@code chunk} holds without moving its reader index. */
    public void feed(ByteBuf chunk) {
        int index = chunk.readerIndex();
        int end = chunk.writerIndex();
        while (index < end) {
            if (headerRead < 5) {
                header[headerRead++] = chunk.getByte(index++);
                if (headerRead == 5) {
                    if (sink != null && header[0] != 0) {
                        throw new IllegalArgumentException("compressed gRPC message; store-and-forward takes uncompressed reports only");
                    }
                    length = ((header[1] & 0xff) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                    if (sink != null && (length < 0 || length > MAX_MESSAGE)) {
                        throw new IllegalArgumentException("gRPC message of " + Integer.toUnsignedString(length) + " bytes exceeds " + MAX_MESSAGE);
                    }
                    message = sink == null ? null : new byte[length];
                    messageRead = 0;
                    if (length == 0) {
                        complete();
                    }
                }
                continue;
            }
            int take = Math.min(length - messageRead, end - index);
            if (message != null) {
                chunk.getBytes(index, message, messageRead, take);
            }
            index += take;
            messageRead += take;
            if (messageRead == length) {
                complete();
            }
        }
    }

    public long messages() {
        return messages;
    }

    public long bytes() {
        return bytes;
    }

    private void complete() {
        messages++;
        bytes += length;
        headerRead = 0;
        if (sink != null) {
            sink.accept(message);
        }
        message = null;
    }

    /** One message framed for the wire. */
    public static byte[] frame(byte[] message) {
        byte[] framed = new byte[5 + message.length];
        framed[1] = (byte) (message.length >>> 24);
        framed[2] = (byte) (message.length >>> 16);
        framed[3] = (byte) (message.length >>> 8);
        framed[4] = (byte) message.length;
        System.arraycopy(message, 0, framed, 5, message.length);
        return framed;
    }
}
