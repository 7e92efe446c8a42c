package dev.crossgate.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The demo's backend: answers GET with what it was sent (method, path, the forwarded headers the gateway
 * added) and streams any request body straight back.
 */
public final class EchoBackend implements AutoCloseable {

    private final DisposableServer server;

    public EchoBackend(String host, int port) {
        this.server = HttpServer.create().host(host).port(port).handle((request, response) -> {
            if (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)) {
                StringBuilder body = new StringBuilder("hello from the Crossgate demo backend\n")
                        .append("method: ").append(request.method()).append('\n')
                        .append("path: ").append(request.uri()).append('\n');
                request.requestHeaders().forEach(header -> {
                    String name = header.getKey().toLowerCase(Locale.ROOT);
                    if (name.startsWith("x-forwarded-") || name.equals("host")) {
                        body.append(name).append(": ").append(header.getValue()).append('\n');
                    }
                });
                byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                return response.header("content-type", "text/plain; charset=utf-8").header("content-length", Integer.toString(bytes.length))
                        .send(Mono.just(Unpooled.wrappedBuffer(bytes)));
            }
            String length = request.requestHeaders().get("content-length");
            if (length != null) {
                response.header("content-length", length);
            }
            return response.header("content-type", "application/octet-stream").send(request.receive().retain());
        }).bindNow(Duration.ofSeconds(10));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(2));
    }
}
