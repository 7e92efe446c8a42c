package dev.crossgate.e2e;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP/1.1 responses read straight off a socket, for tests that drive a keep-alive connection by hand. */
final class Http1Responses {

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");
    private static final int END_OF_HEAD = 0x0d0a0d0a;

    private Http1Responses() {
    }

    /** Reads one response with a Content-Length body (none without one) off a keep-alive connection: head and body. */
    static String read(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int last4 = 0; last4 != END_OF_HEAD; ) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed after: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
            last4 = last4 << 8 | b;
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        Matcher length = CONTENT_LENGTH.matcher(text);
        int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return text + new String(in.readNBytes(body), StandardCharsets.US_ASCII);
    }
}
