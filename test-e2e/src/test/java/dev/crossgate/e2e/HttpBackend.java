package dev.crossgate.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * A plain HTTP/1.1 backend from the JDK's own server: {@code 200 ok} to anything, and on {@code /stream} as many
 * bytes as the gateway will take, up to 1 GiB, counting what its socket accepted (what back-pressure let through).
 */
final class HttpBackend implements AutoCloseable {

    static final long STREAM_BYTES = 1L << 30;

    private final HttpServer server;
    private final AtomicLong streamed = new AtomicLong();

    HttpBackend(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "http-backend");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            byte[] body = "ok\n".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/stream", exchange -> {
            exchange.sendResponseHeaders(200, STREAM_BYTES);
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = exchange.getResponseBody()) {
                for (long sent = 0; sent < STREAM_BYTES; sent += chunk.length) {
                    out.write(chunk);
                    streamed.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the gateway closed the connection: nothing more to send
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** Bytes of {@code /stream} bodies written so far, over all requests. */
    long streamed() {
        return streamed.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
