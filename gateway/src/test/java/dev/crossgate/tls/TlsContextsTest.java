package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.crossgate.config.TlsPolicy;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;

/**
 * Keys travel from our material to BoringSSL through the handover key store: for every key type a listener and a
 * connector take, a mutual-TLS handshake between the two contexts must prove both keys (each side signs with its own).
 */
class TlsContextsTest {

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
    void serverAndClientContextsSignWithTheKeysTheyWereGiven(KeyType keyType) throws Exception {
        assertThat(TlsContexts.provider()).isEqualTo(SslProvider.OPENSSL);
        Instant now = Instant.now();
        CertificateIssuer.Issued ca = CertificateIssuer.rootCa("test-ca", KeyType.EC_P256.generate(), now, now.plus(Duration.ofDays(1)));
        CertificateIssuer.Issued server = CertificateIssuer.leaf(ca, "localhost", List.of(CertificateIssuer.nameOf("localhost")),
                CertificateIssuer.Usage.SERVER, keyType.generate(), now, now.plus(Duration.ofDays(1)));
        CertificateIssuer.Issued client = CertificateIssuer.leaf(ca, "client", List.of(CertificateIssuer.nameOf("client.test")),
                CertificateIssuer.Usage.CLIENT, keyType.generate(), now, now.plus(Duration.ofDays(1)));
        PeerVerifier.TrustBundle trust = PeerVerifier.TrustBundle.of(List.of(ca.certificate()));

        SslContext serverContext = TlsContexts.server(List.of(material("server", server)), ClientAuth.REQUIRE,
                PeerVerifier.forClients(trust, List.of()), List.of(), TlsPolicy.STRICT);
        SslContext clientContext = TlsContexts.client(material("client", client), PeerVerifier.forServer(trust, "localhost"), false,
                List.of(), TlsPolicy.STRICT);
        SSLEngine serverEngine = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine clientEngine = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        handshake(clientEngine, serverEngine);

        assertThat(clientEngine.getSession().getPeerCertificates()[0]).isEqualTo(server.certificate());
        assertThat(serverEngine.getSession().getPeerCertificates()[0]).isEqualTo(client.certificate());
        assertThat(clientEngine.getSession().getProtocol()).isEqualTo("TLSv1.3");

        // what BoringSSL wrote while reading overflows the 256 B buffer TlsContexts sets (the RSA flights do) and goes out
        // through later wraps: application data still arrives whole both ways, the reply across several records
        assertThat(exchange(clientEngine, serverEngine, "ping")).isEqualTo("ping");
        assertThat(exchange(serverEngine, clientEngine, "pong ".repeat(4000))).isEqualTo("pong ".repeat(4000));
    }

    /**
     * Contexts are reference counted: the gateway gives its reference up when a rotation replaces one, and a connection
     * made a moment before keeps its context until it closes; then the native context is freed at once, not at a GC.
     */
    @Test
    void aReleasedContextServesTheConnectionsMadeWithItAndIsFreedWithTheLast() throws Exception {
        ServerAndClient pair = serverAndClient();
        SslContext serverContext = pair.server();
        SslContext clientContext = pair.client();
        ReferenceCounted counted = (ReferenceCounted) serverContext;
        assertThat(counted.refCnt()).isEqualTo(1);

        SSLEngine serverEngine = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine clientEngine = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        TlsContexts.release(serverContext);
        assertThat(counted.refCnt()).as("held by its engine").isEqualTo(1);
        handshake(clientEngine, serverEngine);
        assertThat(exchange(clientEngine, serverEngine, "ping")).isEqualTo("ping");

        ReferenceCountUtil.release(serverEngine);
        assertThat(counted.refCnt()).as("freed with its last engine").isZero();
        ReferenceCountUtil.release(clientEngine);
        TlsContexts.release(clientContext);

        SslContext kept = TlsContexts.keep(TlsContexts.server(List.of(pair.identity()), ClientAuth.NONE, null, List.of(), TlsPolicy.STRICT));
        TlsContexts.release(kept);
        assertThat(((ReferenceCounted) kept).refCnt()).as("kept for the process's life").isEqualTo(1);
    }

    /** A rotation's replaced context stays ours for the grace period, then only the connections made with it hold it. */
    @Test
    void aRetiredContextIsReleasedAfterItsGracePeriodWhileItsConnectionsKeepIt() throws Exception {
        ServerAndClient pair = serverAndClient();
        SSLEngine madeBefore = pair.server().newEngine(ByteBufAllocator.DEFAULT);
        ReferenceCounted counted = (ReferenceCounted) pair.server();

        RotatingTls.retire(List.of(pair.server()), Duration.ofMillis(300));
        assertThat(counted.refCnt()).as("not yet: an event loop may be making its engine").isEqualTo(2);
        for (int i = 0; i < 100 && counted.refCnt() > 1; i++) {
            Thread.sleep(50);
        }
        assertThat(counted.refCnt()).as("only the connection made before holds it").isEqualTo(1);
        SSLEngine clientEngine = pair.client().newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        handshake(clientEngine, madeBefore);
        assertThat(exchange(clientEngine, madeBefore, "ping")).isEqualTo("ping");
        ReferenceCountUtil.release(madeBefore);
        assertThat(counted.refCnt()).isZero();
        ReferenceCountUtil.release(clientEngine);
        TlsContexts.release(pair.client());
    }

    /** A server context for an EC identity (no client certificate asked) and a client context that trusts its CA. */
    private record ServerAndClient(TlsMaterial identity, SslContext server, SslContext client) {
    }

    private static ServerAndClient serverAndClient() throws Exception {
        Instant now = Instant.now();
        CertificateIssuer.Issued ca = CertificateIssuer.rootCa("test-ca", KeyType.EC_P256.generate(), now, now.plus(Duration.ofDays(1)));
        CertificateIssuer.Issued server = CertificateIssuer.leaf(ca, "localhost", List.of(CertificateIssuer.nameOf("localhost")),
                CertificateIssuer.Usage.SERVER, KeyType.EC_P256.generate(), now, now.plus(Duration.ofDays(1)));
        TlsMaterial identity = material("server", server);
        PeerVerifier.TrustBundle trust = PeerVerifier.TrustBundle.of(List.of(ca.certificate()));
        return new ServerAndClient(identity, TlsContexts.server(List.of(identity), ClientAuth.NONE, null, List.of(), TlsPolicy.STRICT),
                TlsContexts.client(null, PeerVerifier.forServer(trust, "localhost"), false, List.of(), TlsPolicy.STRICT));
    }

    /** {@code text} sealed by one engine and opened by the other, record by record (bounded). */
    private static String exchange(SSLEngine from, SSLEngine to, String text) throws Exception {
        ByteBuffer plain = ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ByteBuffer wire = ByteBuffer.allocate(64 * 1024);
        ByteBuffer received = ByteBuffer.allocate(64 * 1024);
        for (int step = 0; step < 100 && (plain.hasRemaining() || wire.position() > 0); step++) {
            from.wrap(plain, wire);
            wire.flip();
            while (wire.hasRemaining() && to.unwrap(wire, received).bytesConsumed() > 0) {
                // a record at a time, the tickets among them
            }
            wire.compact();
        }
        received.flip();
        return java.nio.charset.StandardCharsets.UTF_8.decode(received).toString();
    }

    private static TlsMaterial material(String name, CertificateIssuer.Issued issued) {
        return new TlsMaterial(name, issued.keyPair().getPrivate(), List.<X509Certificate>of(issued.certificate()), List.of(), Instant.now());
    }

    /** Both engines in memory, each one's records handed to the other, until neither has anything left to do (bounded). */
    private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
        ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
        ByteBuffer toClient = ByteBuffer.allocate(64 * 1024);
        ByteBuffer application = ByteBuffer.allocate(64 * 1024);
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 100 && !(finished(client) && finished(server)); step++) {
            client.wrap(ByteBuffer.allocate(0), toServer);
            toServer.flip();
            server.unwrap(toServer, application.clear());
            toServer.compact();
            runTasks(server);
            server.wrap(ByteBuffer.allocate(0), toClient);
            toClient.flip();
            client.unwrap(toClient, application.clear());
            toClient.compact();
            runTasks(client);
        }
        assertThat(finished(client) && finished(server)).as("the handshake completes").isTrue();
    }

    private static boolean finished(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }
}
