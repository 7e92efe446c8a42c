package dev.crossgate.e2e;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLPeerUnverifiedException;

import dev.crossgate.tls.CertificateIssuer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTPS backend on loopback that requires a client certificate from its CA, like a backend that
 * only the gateway may reach. It answers with the client-certificate serial it saw and the identity
 * headers it received, and closes each connection so every request is a fresh handshake (but for paths under /keep).
 */
final class TlsBackend implements AutoCloseable {

    final List<String> clientSerials = new CopyOnWriteArrayList<>();
    /** TLS connections accepted so far: tells a reused pooled connection from a new one. */
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final DisposableServer server;

    TlsBackend(CertificateIssuer.Issued identity, X509Certificate clientCa, Duration delay) throws Exception {
        var context = SslContextBuilder.forServer(identity.keyPair().getPrivate(), identity.certificate())
                .trustManager(clientCa).clientAuth(ClientAuth.REQUIRE).build();
        server = HttpServer.create().host("127.0.0.1").port(0).secure(spec -> spec.sslContext(context))
                .doOnChannelInit((observer, channel, address) -> connections.incrementAndGet())
                .handle((request, response) -> {
                    if (request.uri().startsWith("/bytes/")) {
                        // a body of the asked size, to see small responses sent whole and large ones streamed
                        byte[] bytes = "x".repeat(Integer.parseInt(request.uri().substring("/bytes/".length()))).getBytes(StandardCharsets.US_ASCII);
                        return response.header("content-length", Integer.toString(bytes.length)).sendByteArray(Mono.just(bytes)).then();
                    }
                    if (request.uri().startsWith("/trailers")) {
                        // a chunked body whose end carries a trailer, as gRPC-over-HTTP/1.1 bridges and checksumming servers send
                        return response.header("trailer", "x-checksum").trailerHeaders(trailers -> trailers.set("x-checksum", "sha256-of-the-body"))
                                .sendString(reactor.core.publisher.Flux.just("chunked ", "body\n")).then(); // a Flux: sent in chunks
                    }
                    String[] serial = {"none"};
                    request.withConnection(connection -> {
                        try {
                            SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
                            serial[0] = ((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0]).getSerialNumber().toString(16);
                        } catch (SSLPeerUnverifiedException e) {
                            serial[0] = "unverified";
                        }
                    });
                    clientSerials.add(serial[0]);
                    return request.receive().aggregate().asByteArray().map(received -> received.length).defaultIfEmpty(0).flatMap(received -> {
                        String body = "backend saw client serial=" + serial[0] + "\n"
                                + "xfcc=" + request.requestHeaders().get("x-forwarded-client-cert") + "\n"
                                + "xff=" + request.requestHeaders().get("x-forwarded-for") + "\n"
                                + "proto=" + request.requestHeaders().get("x-forwarded-proto") + "\n"
                                + "path=" + request.uri() + "\n"
                                + "http2-codec-notes=" + request.requestHeaders().contains("x-http2-stream-id") + "\n"
                                + "request-body-bytes=" + received + "\n";
                        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                        if (!request.uri().startsWith("/keep")) {
                            response.header("connection", "close");
                        }
                        return Mono.delay(delay).then(response.header("content-length", Integer.toString(bytes.length))
                                .sendByteArray(Mono.just(bytes)).then());
                    });
                })
                .bindNow(Duration.ofSeconds(10));
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
