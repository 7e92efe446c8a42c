package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.TestPki;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/** TLS passthrough: the gateway routes by the SNI of a ClientHello it never decrypts; clients see the backends' own certificates. */
class PassthroughTest {

    @TempDir
    Path dir;

    private final TestPki ca = TestPki.create("passthrough-ca");
    private GatewayProcess gateway;
    private DisposableServer alpha;
    private DisposableServer beta;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (DisposableServer server : new DisposableServer[] {alpha, beta}) {
            if (server != null) {
                server.disposeNow(Duration.ofSeconds(5));
            }
        }
    }

    private static DisposableServer tlsBackend(CertificateIssuer.Issued identity, String greeting) throws Exception {
        var context = SslContextBuilder.forServer(identity.keyPair().getPrivate(), identity.certificate()).build();
        return TcpServer.create().host("127.0.0.1").port(0).secure(spec -> spec.sslContext(context))
                .handle((in, out) -> out.sendString(Mono.just(greeting + "\n")).then(in.receive().then()))
                .bindNow(Duration.ofSeconds(10));
    }

    @Test
    void routesBySniWithoutTerminatingAndRefusesWhatItCannotRoute() throws Exception {
        alpha = tlsBackend(ca.server("alpha.internal"), "hello from alpha");
        beta = tlsBackend(ca.server("beta.internal"), "hello from beta");
        TestPki.write(dir.resolve("ca.crt"), ca.caPem());
        int port = Processes.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("CROSSGATE_LISTENERS_SNI_PROTOCOL", "tcp");
        env.put("CROSSGATE_LISTENERS_SNI_HOST", "127.0.0.1");
        env.put("CROSSGATE_LISTENERS_SNI_PORT", Integer.toString(port));
        env.put("CROSSGATE_LISTENERS_SNI_TLS_MODE", "passthrough");
        env.put("CROSSGATE_LISTENERS_SNI_SNI_ROUTES", "alpha.internal=alpha, *.beta.internal=beta, beta.internal=beta");
        env.put("CROSSGATE_CONNECTORS_ALPHA_ADDRESS", "127.0.0.1:" + alpha.port());
        env.put("CROSSGATE_CONNECTORS_ALPHA_TLS_MODE", "off");
        env.put("CROSSGATE_CONNECTORS_BETA_ADDRESS", "127.0.0.1:" + beta.port());
        env.put("CROSSGATE_CONNECTORS_BETA_TLS_MODE", "off");
        gateway = GatewayProcess.start(dir, env).awaitReady();

        assertThat(sClient(port, "alpha.internal")).contains("Verification: OK").contains("Verified peername: alpha.internal").contains("hello from alpha");
        assertThat(sClient(port, "beta.internal")).contains("Verification: OK").contains("Verified peername: beta.internal").contains("hello from beta");
        gateway.awaitStat("listener.sni.passthrough.routed", 2);
        assertThat(gateway.stat("listener.sni.ssl.handshake")).isEqualTo(-1); // nothing terminated here

        assertThat(sClient(port, "gamma.internal")).doesNotContain("hello from");
        gateway.awaitStat("listener.sni.passthrough.unknown_sni", 1);
        assertThat(gateway.logLines("reason=unknown_sni")).singleElement().asString().contains("sni=gamma.internal");
        Processes.Result noSni = Processes.run(dir, Duration.ofSeconds(20), List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-noservername", "-brief"));
        assertThat(noSni.output()).doesNotContain("hello from");
        gateway.awaitStat("listener.sni.passthrough.unknown_sni", 2);

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        gateway.awaitStat("listener.sni.passthrough.not_tls", 1);
    }

    @Test
    void passthroughToAConnectorThatOriginatesTlsIsAConfigurationError() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("CROSSGATE_LISTENERS_SNI_PROTOCOL", "tcp");
        env.put("CROSSGATE_LISTENERS_SNI_PORT", Integer.toString(Processes.freePort()));
        env.put("CROSSGATE_LISTENERS_SNI_TLS_MODE", "passthrough");
        env.put("CROSSGATE_LISTENERS_SNI_SNI_ROUTES", "alpha.internal=alpha");
        env.put("CROSSGATE_LISTENERS_SNI_TLS_CERTS", "alpha");
        env.put("CROSSGATE_CONNECTORS_ALPHA_ADDRESS", "127.0.0.1:1");
        env.put("CROSSGATE_CONNECTORS_ALPHA_TLS_INSECURE_SKIP_VERIFY", "true");
        Processes.Result result = Processes.run(dir, Duration.ofSeconds(30), GatewayEnv.command(env));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("crossgate.listeners.sni.tls.certs (CROSSGATE_LISTENERS_SNI_TLS_CERTS) is set but tls.mode is passthrough");
        env.remove("CROSSGATE_LISTENERS_SNI_TLS_CERTS");
        result = Processes.run(dir, Duration.ofSeconds(30), GatewayEnv.command(env));
        assertThat(result.output()).contains("connector 'alpha' originates TLS, but a passthrough listener forwards the client's TLS untouched");
    }

    private String sClient(int port, String serverName) throws Exception {
        // -ign_eof keeps s_client reading the backend's greeting after its stdin (empty) ends
        return Processes.run(dir, Duration.ofSeconds(20), List.of("bash", "-c", "sleep 1 | openssl s_client -connect 127.0.0.1:" + port
                + " -servername " + serverName + " -verify_hostname " + serverName + " -CAfile ca.crt -verify_return_error -brief 2>&1"))
                .output();
    }
}
