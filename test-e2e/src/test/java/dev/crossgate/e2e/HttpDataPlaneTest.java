package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;

/**
 * The HTTP data plane end to end: curl and openssl as clients, the packaged gateway as a process
 * configured by environment variables, and an HTTPS backend that only admits the gateway's client
 * certificate. Every hop is mutual TLS.
 */
class HttpDataPlaneTest {

    @TempDir
    Path dir;

    private final TestPki edgeCa = TestPki.create("edge-ca");
    private final TestPki backendCa = TestPki.create("backend-ca");
    private CertificateIssuer.Issued agent;
    private CertificateIssuer.Issued gatewayClient;
    private TlsBackend backend;
    GatewayProcess gateway;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("listener"));
        Files.createDirectories(dir.resolve("connector"));
        edgeCa.writeFiles(edgeCa.server("localhost", "127.0.0.1"), dir.resolve("listener/tls.crt"), dir.resolve("listener/tls.key"),
                dir.resolve("listener/ca.crt"));
        // clients trust the edge CA from a file of their own: the gateway's trust bundle in listener/ is rewritten by rotation tests
        TestPki.write(dir.resolve("edge-ca.crt"), edgeCa.caPem());
        agent = edgeCa.client("agent", "agent.region-a", "spiffe://crossgate/agent");
        writeClient("agent", agent);
        gatewayClient = backendCa.client("gateway-a");
        backendCa.writeFiles(gatewayClient, dir.resolve("connector/tls.crt"), dir.resolve("connector/tls.key"), dir.resolve("connector/ca.crt"));
        backend = new TlsBackend(backendCa.server("backend.internal"), backendCa.ca.certificate(), Duration.ZERO);
        port = Processes.freePort();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** Replaces the backend with one that answers only after {@code delay}. */
    private void slowBackend(Duration delay) throws Exception {
        backend.close();
        backend = new TlsBackend(backendCa.server("backend.internal"), backendCa.ca.certificate(), delay);
    }

    /** The gateway's environment for a backend on {@code backendPort}; {@link NativeTlsDataPlaneTest} adds its library to it. */
    Map<String, String> environment(int backendPort) {
        Map<String, String> env = new HashMap<>();
        GatewayEnv.fileSource(env, "edge", dir.resolve("listener/tls.crt"), dir.resolve("listener/tls.key"), dir.resolve("listener/ca.crt"));
        env.put("CROSSGATE_CERTS_EDGE_DEBOUNCE", "50ms");
        GatewayEnv.fileSource(env, "upstream", dir.resolve("connector/tls.crt"), dir.resolve("connector/tls.key"), dir.resolve("connector/ca.crt"));
        env.put("CROSSGATE_CERTS_UPSTREAM_DEBOUNCE", "50ms");
        env.put("CROSSGATE_LISTENERS_EDGE_HOST", "127.0.0.1");
        env.put("CROSSGATE_LISTENERS_EDGE_PORT", Integer.toString(port));
        env.put("CROSSGATE_LISTENERS_EDGE_CONNECTOR", "backend");
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_CERTS", "edge");
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH", "require");
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_ALLOWED_SANS", "spiffe://crossgate/agent,*.region-a");
        env.put("CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "127.0.0.1:" + backendPort);
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_CERTS", "upstream");
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_TRUST", "upstream");
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_SERVER_NAME", "backend.internal");
        return env;
    }

    private GatewayProcess startGateway(Map<String, String> env) throws Exception {
        gateway = GatewayProcess.start(dir, env).awaitReady();
        return gateway;
    }

    /** The gateway of {@link #environment} with {@code settings} added or changed. */
    GatewayProcess startGatewayWith(Map<String, String> settings) throws Exception {
        Map<String, String> env = environment(backend.port());
        env.putAll(settings);
        return startGateway(env);
    }

    @Test
    void mutualTlsOnBothHopsWithTheClientIdentityPassedOn() throws Exception {
        startGateway(environment(backend.port()));
        Processes.Result response = curl("agent", "/orders?id=7");
        assertThat(response.output()).contains("backend saw client serial=" + gatewayClient.certificate().getSerialNumber().toString(16))
                .contains("URI=spiffe://crossgate/agent").contains("Subject=\"CN=agent\"").contains("xff=127.0.0.1").contains("proto=https")
                .contains("path=/orders?id=7").endsWith("\n200");
        assertThat(gateway.stat("listener.edge.ssl.handshake")).isEqualTo(1);
        assertThat(gateway.stat("connector.backend.ssl.handshake")).isEqualTo(1);
        assertThat(gateway.stat("listener.edge.ssl.versions.TLSv1.3")).isEqualTo(1);
        assertThat(gateway.admin("/metrics").body()).contains("crossgate_listener_edge_ssl_handshake_total 1");
        // the expiry gauge describes the certificate being served (TestPki issues for 90 days)
        assertThat(gateway.stat("certs.edge.expiry_seconds")).isBetween(Duration.ofDays(89).toSeconds(), Duration.ofDays(90).toSeconds());
        assertThat(gateway.admin("/certs").body()).contains("\"serial\": \"" + agentCaServerSerial() + "\"");
    }

    @Test
    void optionalClientAuthServesWithoutIdentityAndAForgedIdentityNeverReachesTheBackend() throws Exception {
        startGatewayWith(Map.of("CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH", "optional"));
        Processes.Result anonymous = curl(null, "/", "-H", "x-forwarded-client-cert: Hash=forged;URI=spiffe://crossgate/admin");
        assertThat(anonymous.output()).contains("xfcc=null").doesNotContain("forged").endsWith("\n200");
        gateway.awaitStat("listener.edge.ssl.no_certificate", 1);
        Processes.Result verified = curl("agent", "/", "-H", "x-forwarded-client-cert: Hash=forged;URI=spiffe://crossgate/admin");
        assertThat(verified.output()).contains("URI=spiffe://crossgate/agent").doesNotContain("forged").endsWith("\n200");
    }

    @Test
    void insecureSkipVerifyReachesABackendOfAnUntrustedCaAndWarns() throws Exception {
        Map<String, String> env = environment(backend.port());
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_INSECURE_SKIP_VERIFY", "true");
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_SERVER_NAME", "not-the-backend.internal");
        env.put("CROSSGATE_CERTS_UPSTREAM_CA_PATH", dir.resolve("listener/ca.crt").toString()); // a bundle that would not verify it
        env.put("CROSSGATE_CERTS_UPSTREAM_VERIFY_CHAIN", "false");
        env.remove("CROSSGATE_CONNECTORS_BACKEND_TLS_TRUST");
        startGateway(env);
        assertThat(gateway.logLines("tls.insecure-skip-verify=true")).singleElement().asString().contains("connector backend");
        assertThat(curl("agent", "/").output()).endsWith("\n200");
    }

    @Test
    void plaintextListenerSpeaksH2cAndHttp11() throws Exception {
        Map<String, String> env = environment(backend.port());
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_MODE", "off");
        env.remove("CROSSGATE_LISTENERS_EDGE_TLS_CERTS");
        env.remove("CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH");
        env.remove("CROSSGATE_LISTENERS_EDGE_TLS_ALLOWED_SANS");
        startGateway(env);
        String url = "http://127.0.0.1:" + port + "/plain";
        assertThat(Processes.ok(dir, "curl", "-sS", "--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}", url).output())
                .contains("proto=http").endsWith("\n2 200");
        assertThat(Processes.ok(dir, "curl", "-sS", "--http1.1", "-w", "\n%{http_version} %{http_code}", url).output()).endsWith("\n1.1 200");
        assertThat(gateway.stat("listener.edge.plaintext")).isEqualTo(1);
        assertThat(gateway.admin("/certs").body()).contains("\"plaintext_listeners\": [\n    \"edge\"");
    }

    @Test
    void slowBackendGets504OverBothProtocolsAndAnIdleHttp11ConnectionIsClosedOnTime() throws Exception {
        slowBackend(Duration.ofSeconds(3));
        startGatewayWith(Map.of("CROSSGATE_CONNECTORS_BACKEND_RESPONSE_TIMEOUT", "1s",
                "CROSSGATE_LISTENERS_EDGE_IDLE_TIMEOUT", "2s"));
        // HTTP/2 (each stream's clock) and HTTP/1.1 (the connection's clock) alike
        for (String protocol : List.of("--http2", "--http1.1")) {
            assertThat(curl("agent", "/slow", protocol).output()).as(protocol)
                    .contains("504 Gateway Timeout: the backend of connector backend did not answer in time").endsWith("\n504");
        }
        assertThat(gateway.stat("connector.backend.failure.timeout")).isEqualTo(2);
        assertThat(gateway.stat("listener.edge.http.504")).isEqualTo(2);

        // the same clock closes an HTTP/1.1 keep-alive connection left idle past the listener's idle timeout
        javax.net.ssl.SSLContext tls = TcpDataPlaneTest.clientContext(agent, edgeCa.ca.certificate());
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.getOutputStream().write("GET /bytes/10 HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            StringBuilder response = new StringBuilder();
            while (!response.toString().endsWith("\r\n\r\nxxxxxxxxxx")) {
                int b = socket.getInputStream().read();
                assertThat(b).as("response so far: %s", response).isNotNegative();
                response.append((char) b);
            }
            assertThat(response.toString()).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
            long idleSince = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
        }
    }

    @Test
    void requestAndResponseBodiesOfEverySizeCrossOverBothProtocols() throws Exception {
        startGateway(environment(backend.port()));
        Path upload = dir.resolve("upload.bin");
        Files.write(upload, new byte[100_000]);
        for (String protocol : List.of("--http1.1", "--http2")) {
            // small responses leave together with their headers, large ones are streamed: both arrive whole
            for (int size : List.of(0, 100, 65_536, 65_537, 1 << 20)) {
                assertThat(curl("agent", "/bytes/" + size, protocol, "-o", "/dev/null", "-w", "%{size_download} %{http_code}").output())
                        .as("%s %d bytes", protocol, size).isEqualTo(size + " 200");
            }
            assertThat(curl("agent", "/bytes/100", protocol, "--head").output()).containsIgnoringCase("content-length: 100").endsWith("\n200");
            // a request body is streamed to the backend whether its length is declared or chunked (HTTP/1.1)
            assertThat(curl("agent", "/upload", protocol, "--data-binary", "@" + upload).output()).contains("request-body-bytes=100000");
            assertThat(curl("agent", "/upload", protocol, "--data-binary", "@" + upload, "-H", "Transfer-Encoding: chunked").output())
                    .contains("request-body-bytes=100000");
            assertThat(curl("agent", "/no-body", protocol).output()).contains("request-body-bytes=0").endsWith("\n200");
        }
    }

    @Test
    void http11PipeliningHttp10ExpectContinueAndPooledBackendConnectionsAreServed() throws Exception {
        startGateway(environment(backend.port()));
        // three requests in one write: answered in order, the POST's body reaching the backend, the last closing the connection
        javax.net.ssl.SSLContext tls = TcpDataPlaneTest.clientContext(agent, edgeCa.ca.certificate());
        String answers;
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.getOutputStream().write(("GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /third HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            answers = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8); // to the close
        }
        assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(4);
        assertThat(answers).containsSubsequence("path=/first", "request-body-bytes=0", "path=/second", "request-body-bytes=5", "path=/third");

        // an HTTP/1.0 client is answered in HTTP/1.0, and the backend (HTTP/1.1) still gets a Host
        assertThat(curl("agent", "/old", "--http1.0", "-i").output()).startsWith("HTTP/1.0 200").contains("path=/old").endsWith("\n200");
        continueIsRelayed("--http1.1", "HTTP/1.1 100 Continue");
        // keep-alive responses give their backend connection back for the next request
        assertThat(backendConnectionsForFiveRequests("--http1.1")).as("backend connections for five keep-alive requests").isEqualTo(1);
    }

    /** The backend's 100 Continue reaches a client that waits for it before sending its body, and so does the body. */
    private void continueIsRelayed(String protocol, String continueLine) throws Exception {
        Path upload = dir.resolve("upload.bin");
        Files.write(upload, new byte[50_000]);
        assertThat(curl("agent", "/expect", protocol, "-H", "Expect: 100-continue", "--data-binary", "@" + upload, "-i").output())
                .contains(continueLine).contains("request-body-bytes=50000").endsWith("\n200");
    }

    /** Backend connections opened for five requests one after another on one client connection. */
    private int backendConnectionsForFiveRequests(String protocol) throws Exception {
        int before = backend.connections.get();
        List<String> five = new ArrayList<>(List.of(protocol, "-o", "/dev/null"));
        for (int i = 0; i < 4; i++) {
            five.addAll(List.of("https://localhost:" + port + "/bytes/100", "-o", "/dev/null"));
        }
        assertThat(curl("agent", "/bytes/100", five.toArray(String[]::new)).exitCode()).isZero();
        return backend.connections.get() - before;
    }

    @Test
    void requestsWaitForABusyConnectorsConnectionsInOrderWithinTheirBoundsAndOverBothProtocols() throws Exception {
        slowBackend(Duration.ofSeconds(2));
        startGatewayWith(Map.of("CROSSGATE_CONNECTORS_BACKEND_MAX_CONNECTIONS", "1",
                "CROSSGATE_CONNECTORS_BACKEND_MAX_PENDING_REQUESTS", "2",
                "CROSSGATE_CONNECTORS_BACKEND_CONNECT_TIMEOUT", "3s",
                "CROSSGATE_IO_THREADS", "2"));
        // four streams at once on one HTTP/2 connection, the backend taking 2 s for each and keeping its connection: the first
        // takes the one connection, the second waits 2 s for it to be given back, the third would wait 4 s (past the 3 s it
        // may), the fourth finds two waiting already
        String keep = "https://localhost:" + port + "/keep";
        Processes.Result four = curl("agent", "/keep", "--http2", "--parallel", "-w", "\ncode=%{http_code}\n", keep, keep, keep);
        assertThat(codes(four.output())).as(four.output()).containsExactlyInAnyOrder("200", "200", "503", "503");
        assertThat(four.output()).contains("503 Service Unavailable: connector backend has all of its 1 connections to the backend in use "
                + "(crossgate.connectors.backend.max-connections) and no room or time to wait for one "
                + "(crossgate.connectors.backend.max-pending-requests, crossgate.connectors.backend.connect-timeout)");
        assertThat(gateway.stat("connector.backend.failure.exhausted")).isEqualTo(2);
        assertThat(gateway.stat("connector.backend.pending_total")).isEqualTo(2);
        assertThat(gateway.stat("listener.edge.http.503")).isEqualTo(2);
        assertThat(String.join("\n", gateway.logLines("upstream_failed"))).contains("and 2 requests waiting for one")
                .contains("and none free within 3000 ms");
        assertThat(gateway.stat("connector.backend.pending")).isZero();
        assertThat(gateway.stat("connector.backend.connections_open")).isEqualTo(1);

        // two HTTP/1.1 connections (on either event loop), the backend closing its connection after each answer: the second
        // waits for the first's to close, then dials
        Processes.Result two = curl("agent", "/slow", "--http1.1", "--parallel", "-w", "\ncode=%{http_code}\n",
                "https://localhost:" + port + "/slow");
        assertThat(codes(two.output())).as(two.output()).containsExactly("200", "200");
        // one waited for the other; the first waited too if it came on the other loop than the connection left idle above
        long waited = gateway.stat("connector.backend.pending_total");
        assertThat(waited).isIn(3L, 4L);
        gateway.awaitStat("connector.backend.connections_open", 0);

        // an event loop lends only its own connections: a request on the other loop finds the one connection idle on this
        // one, and waits while it is closed for it, then dials. The two loops take new connections in turn, so of four new
        // connections one after another, three find the backend connection idle on the other loop.
        for (int i = 0; i < 4; i++) {
            assertThat(curl("agent", "/bytes/10", "--http1.1").output()).endsWith("xxxxxxxxxx\n200");
        }
        assertThat(gateway.stat("connector.backend.pending_total")).isEqualTo(waited + 3);
        assertThat(gateway.stat("connector.backend.failure.exhausted")).isEqualTo(2);
    }

    private static List<String> codes(String curlOutput) {
        return curlOutput.lines().filter(line -> line.startsWith("code=")).map(line -> line.substring("code=".length())).toList();
    }

    @Test
    void http2StreamsRelayContinueShareThePooledBackendConnectionsAndForwardNoCodecNotes() throws Exception {
        startGateway(environment(backend.port()));
        // Netty's HTTP/2 codec notes the stream id and scheme as x-http2-* headers: the client did not send them, the backend gets none
        assertThat(curl("agent", "/notes", "--http2").output()).contains("path=/notes").contains("http2-codec-notes=false").endsWith("\n200");
        continueIsRelayed("--http2", "HTTP/2 100");
        // five streams of one connection, one after another, share one pooled backend connection
        assertThat(backendConnectionsForFiveRequests("--http2")).as("backend connections for five HTTP/2 streams").isEqualTo(1);
    }

    @Test
    void aChunkedResponsesTrailersReachTheClientOverBothProtocols() throws Exception {
        startGateway(environment(backend.port()));
        for (String protocol : List.of("--http2", "--http1.1")) {
            // curl prints trailers with the headers (-D -), after the body has been read
            Processes.Result result = curl("agent", "/trailers", protocol, "-D", "-");
            assertThat(result.output()).as(protocol).contains("chunked body").containsIgnoringCase("x-checksum: sha256-of-the-body")
                    .endsWith("\n200");
        }
    }

    @Test
    void clientThatLeavesMidRequestIsCountedAsSuchNotAsABackendFailure() throws Exception {
        slowBackend(Duration.ofSeconds(2));
        startGateway(environment(backend.port()));
        // curl gives up after 1 s, while the backend is still working on the answer
        assertThat(curl("agent", "/slow", "--http1.1", "--max-time", "1").exitCode()).isEqualTo(28);
        assertThat(curl("agent", "/slow", "--http2", "--max-time", "1").exitCode()).isEqualTo(28);
        gateway.awaitStat("listener.edge.http.downstream_closed", 2);
        assertThat(gateway.stat("listener.edge.http.502")).isZero();
        assertThat(gateway.stat("connector.backend.failure.other")).isZero();
        assertThat(gateway.logLines("upstream_failed")).isEmpty();
        assertThat(curl("agent", "/after").output()).endsWith("\n200");
    }

    @Test
    void everyFailedHandshakeIsCountedAndLoggedOnceWithItsReason() throws Exception {
        startGateway(environment(backend.port()));
        writeClient("rogue", TestPki.create("rogue-ca").client("agent", "agent.region-a"));
        writeClient("intruder", edgeCa.client("intruder", "intruder.region-b"));
        Instant now = Instant.now();
        writeClient("expired", edgeCa.issue("old-agent", KeyType.EC_P256.generate(), CertificateIssuer.Usage.CLIENT,
                now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), "agent.region-a"));

        assertThat(curl(null, "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.fail_verify_no_cert", 1);
        assertThat(curl("rogue", "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.untrusted_issuer", 1);
        assertThat(curl("intruder", "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.fail_verify_san", 1);
        assertThat(curl("expired", "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.expired", 1);
        assertThat(gateway.stat("listener.edge.ssl.fail_verify_error")).isEqualTo(2);
        Processes.Result plaintext = Processes.run(dir, "curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/");
        assertThat(plaintext.exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.not_tls", 1);
        Processes.Result tls11 = Processes.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_1",
                "-cipher", "DEFAULT@SECLEVEL=0", "-brief");
        assertThat(tls11.exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.protocol_or_cipher", 1);
        // TLS 1.2 with only CBC suites on offer: AEAD only, so no cipher in common
        Processes.Result cbc = Processes.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_2",
                "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA", "-brief");
        assertThat(cbc.exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.protocol_or_cipher", 2);
        // TLS 1.3 with only a key exchange group the policy leaves out
        Processes.Result x448 = Processes.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_3", "-groups", "X448",
                "-brief");
        assertThat(x448.exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.protocol_or_cipher", 3);
        assertThat(gateway.stat("listener.edge.ssl.connection_error")).isEqualTo(4);
        assertThat(gateway.stat("listener.edge.ssl.handshake")).isZero();
        assertThat(backend.clientSerials).isEmpty();

        assertThat(gateway.logLines("handshake_failed")).hasSize(8);
        assertThat(gateway.logLines("reason=no_client_cert")).singleElement().asString().contains("listener=edge").contains("peer=127.0.0.1:");
        assertThat(gateway.logLines("reason=untrusted_issuer")).singleElement().asString().contains("not issued by a trusted CA")
                .contains("trusted CAs: CN=edge-ca");
        assertThat(gateway.logLines("reason=san_not_allowed")).singleElement().asString()
                .contains("presents [DNS:intruder.region-b]; allowed: [spiffe://crossgate/agent, *.region-a]");
        assertThat(gateway.logLines("reason=expired")).singleElement().asString().contains("CN=old-agent").contains("expired at");
        assertThat(gateway.logLines("reason=not_tls")).hasSize(1);
        assertThat(gateway.logLines("reason=protocol_or_cipher")).hasSize(3);
    }

    /** Where BoringSSL cannot load, the JDK provider serves, said once at start, and failures keep their names. */
    @Test
    void jdkProviderFallbackServesMutualTlsAndNamesFailures() throws Exception {
        startGatewayWith(Map.of("JAVA_TOOL_OPTIONS", "-Dio.netty.handler.ssl.noOpenSsl=true"));
        assertThat(gateway.logLines("falls back to the JDK provider")).hasSize(1);
        assertThat(curl("agent", "/jdk").output()).contains("URI=spiffe://crossgate/agent").endsWith("\n200");
        assertThat(curl(null, "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.fail_verify_no_cert", 1);
        writeClient("rogue", TestPki.create("rogue-ca").client("agent", "agent.region-a"));
        assertThat(curl("rogue", "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.untrusted_issuer", 1);
        writeClient("intruder", edgeCa.client("intruder", "intruder.region-b"));
        assertThat(curl("intruder", "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.fail_verify_san", 1);
        assertThat(Processes.run(dir, "curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.failure.not_tls", 1);
    }

    @Test
    void rotatingServerAndClientCertificatesUnderLoadFailsNoRequest() throws Exception {
        startGateway(environment(backend.port()));
        ClientLoad load = new ClientLoad(4, 10, 400, () -> curl("agent", "/load"));
        List<String> servedSerials = new ArrayList<>();
        List<String> clientSerials = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Thread.sleep(400);
            CertificateIssuer.Issued server = edgeCa.server("localhost", "127.0.0.1");
            replaceAtomically(server, dir.resolve("listener/tls.crt"), dir.resolve("listener/tls.key"));
            CertificateIssuer.Issued client = backendCa.client("gateway-a");
            replaceAtomically(client, dir.resolve("connector/tls.crt"), dir.resolve("connector/tls.key"));
            // a CA rotation in progress: the bundle grows by one more CA each round, the agents' CA stays trusted
            StringBuilder bundle = new StringBuilder(edgeCa.caPem());
            for (int extra = 0; extra <= round; extra++) {
                bundle.append(TestPki.create("edge-ca-next-" + extra).caPem());
            }
            TestPki.write(dir.resolve("listener/ca.crt"), bundle.toString());
            servedSerials.add(server.certificate().getSerialNumber().toString(16));
            clientSerials.add(client.certificate().getSerialNumber().toString(16));
            probe().await(servedSerials.get(round), Duration.ofSeconds(10));
        }
        Thread.sleep(400);
        ClientLoad.Outcome outcome = load.stop();
        assertThat(outcome.failed()).as("failed requests during rotation").isZero();
        assertThat(outcome.ok()).isGreaterThanOrEqualTo(40);
        // new handshakes to the backend present the newest client certificate
        curl("agent", "/after");
        assertThat(backend.clientSerials.get(backend.clientSerials.size() - 1)).isEqualTo(clientSerials.get(2));
        assertThat(gateway.stat("certs.edge.reloads")).isGreaterThanOrEqualTo(4);
        assertThat(gateway.stat("certs.upstream.reloads")).isEqualTo(4);
        assertThat(gateway.stat("certs.edge.rejected_reloads")).isZero();
    }

    @Test
    void caBundleRotationAdmitsClientsOfTheNewCaAndKeepsTheOld() throws Exception {
        startGateway(environment(backend.port()));
        TestPki nextCa = TestPki.create("edge-ca-2027");
        writeClient("next", nextCa.client("agent", "agent.region-a"));
        assertThat(curl("next", "/").exitCode()).isNotZero();
        gateway.awaitStat("listener.edge.ssl.fail_verify_error", 1);

        TestPki.write(dir.resolve("listener/ca.crt"), edgeCa.caPem() + nextCa.caPem());
        gateway.awaitStat("certs.edge.reloads", 2);
        assertThat(curl("next", "/").output()).as("%s", gateway.log()).endsWith("\n200");
        assertThat(curl("agent", "/").output()).as("%s", gateway.log()).endsWith("\n200");
    }

    @Test
    void backendThatIsDownGets502WithAPlainReason() throws Exception {
        startGateway(environment(Processes.freePort()));
        for (String protocol : List.of("--http2", "--http1.1")) {
            Processes.Result response = curl("agent", "/", protocol);
            assertThat(response.output()).as(protocol).contains("502 Bad Gateway: the backend of connector backend refused the connection")
                    .endsWith("\n502");
        }
        // a gRPC client reads the outcome from grpc-status (14 UNAVAILABLE) in a trailers-only answer
        assertThat(curl("agent", "/pkg.Service/Call", "--http2", "-i", "-H", "content-type: application/grpc", "-H", "te: trailers",
                "--data-binary", "").output()).contains("HTTP/2 200").contains("grpc-status: 14")
                .contains("grpc-message: the%20backend%20of%20connector%20backend%20refused%20the%20connection");
        assertThat(gateway.stat("listener.edge.http.502")).isEqualTo(3);
        assertThat(gateway.stat("connector.backend.failure.refused")).isEqualTo(3);
        assertThat(gateway.stat("connector.backend.requests")).isEqualTo(3);
        assertThat(gateway.logLines("upstream_failed")).hasSize(3).allSatisfy(line -> assertThat(line).contains("connector=backend").contains("status=502"));
    }

    @Test
    void backendWithTheWrongNameIsRefusedAndCounted() throws Exception {
        startGatewayWith(Map.of("CROSSGATE_CONNECTORS_BACKEND_TLS_SERVER_NAME", "billing.internal"));
        for (String protocol : List.of("--http2", "--http1.1")) {
            assertThat(curl("agent", "/", protocol).output()).as(protocol)
                    .contains("502 Bad Gateway: the backend of connector backend failed the TLS handshake").endsWith("\n502");
        }
        gateway.awaitStat("connector.backend.ssl.fail_verify_san", 2);
        assertThat(gateway.stat("connector.backend.failure.tls")).isEqualTo(2);
        assertThat(gateway.logLines("reason=name_mismatch")).hasSize(2).allSatisfy(line -> assertThat(line)
                .contains("presents [DNS:backend.internal] but the name dialled is billing.internal"));
    }

    @Test
    void pkcs1KeysOnBothSides() throws Exception {
        CertificateIssuer.Issued server = edgeCa.issue("localhost", KeyType.RSA_2048.generate(), CertificateIssuer.Usage.SERVER, "localhost");
        TestPki.write(dir.resolve("listener/tls.crt"), PemWriter.certificates(server.certificate()));
        TestPki.write(dir.resolve("listener/tls.key"), PemWriter.traditional(server.keyPair().getPrivate()));
        CertificateIssuer.Issued rsaAgent = edgeCa.issue("agent", KeyType.RSA_2048.generate(), CertificateIssuer.Usage.CLIENT, "agent.region-a");
        TestPki.write(dir.resolve("rsa-agent.crt"), PemWriter.certificates(rsaAgent.certificate()));
        TestPki.write(dir.resolve("rsa-agent.pem"), PemWriter.traditional(rsaAgent.keyPair().getPrivate()));
        assertThat(Files.readString(dir.resolve("listener/tls.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        startGateway(environment(backend.port()));
        assertThat(curl("rsa-agent", "/").output()).endsWith("\n200");
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishAndExitsZero() throws Exception {
        slowBackend(Duration.ofSeconds(2));
        startGateway(environment(backend.port()));
        ExecutorService client = Executors.newFixedThreadPool(2);
        // one request in flight over HTTP/2 (Reactor Netty) and one over HTTP/1.1 (the forwarder)
        Future<Processes.Result> http2 = client.submit(() -> curl("agent", "/slow", "--http2"));
        Future<Processes.Result> http11 = client.submit(() -> curl("agent", "/slow", "--http1.1", "-i"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (backend.clientSerials.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(backend.clientSerials).as("the requests reached the backend").hasSize(2);
        assertThat(gateway.stop()).isZero();
        assertThat(http2.get(30, TimeUnit.SECONDS).output()).as(gateway.log()).endsWith("\n200");
        // the drain tells the HTTP/1.1 client its connection closes after this response
        assertThat(http11.get(30, TimeUnit.SECONDS).output()).as(gateway.log()).containsIgnoringCase("connection: close").endsWith("\n200");
        client.shutdown();
    }

    @Test
    void connectionsOpenedUnderReplacedMaterialAreRetiredAfterTheirRequests() throws Exception {
        slowBackend(Duration.ofMillis(2500));
        startGatewayWith(Map.of("CROSSGATE_TLS_MAX_CONNECTION_AGE_AFTER_ROTATION", "1s"));
        javax.net.ssl.SSLContext context = TcpDataPlaneTest.clientContext(agent, edgeCa.ca.certificate());
        try (javax.net.ssl.SSLSocket idle = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
             javax.net.ssl.SSLSocket busy = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            idle.setSoTimeout(20_000);
            busy.setSoTimeout(20_000);
            idle.startHandshake();
            busy.startHandshake();
            busy.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            busy.getOutputStream().flush();

            CertificateIssuer.Issued next = edgeCa.server("localhost", "127.0.0.1");
            replaceAtomically(next, dir.resolve("listener/tls.crt"), dir.resolve("listener/tls.key"));
            probe().await(next.certificate().getSerialNumber().toString(16), Duration.ofSeconds(10));

            // the idle connection is closed once its age after the rotation is over
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            // the request in flight finishes, told that the connection closes, and then it does
            String response = new String(busy.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").contains("path=/slow");
        }
        assertThat(gateway.stat("listener.edge.ssl.connections_retired_after_rotation")).isGreaterThanOrEqualTo(2);
        assertThat(gateway.logLines("opened under replaced TLS material")).isNotEmpty();
    }

    @Test
    void misconfigurationExitsWithStatusTwoNamingEveryVariable() throws Exception {
        Map<String, String> env = environment(backend.port());
        env.put("CROSSGATE_LISTENERS_EDGE_CONNECTOR", "billing");
        env.put("CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUHT", "require");
        Processes.Result result = Processes.run(dir, Duration.ofSeconds(30), GatewayEnv.command(env));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("did you mean CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH?");
        env.remove("CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUHT");
        result = Processes.run(dir, Duration.ofSeconds(30), GatewayEnv.command(env));
        assertThat(result.output()).contains("crossgate.listeners.edge.connector (CROSSGATE_LISTENERS_EDGE_CONNECTOR): no connector named 'billing'");
    }

    private String agentCaServerSerial() throws Exception {
        return dev.crossgate.tls.MaterialReader.readCertificates(Files.readAllBytes(dir.resolve("listener/tls.crt")), "x").get(0)
                .getSerialNumber().toString(16);
    }

    private void writeClient(String name, CertificateIssuer.Issued client) throws Exception {
        TestPki.write(dir.resolve(name + ".crt"), PemWriter.certificates(client.certificate()));
        TestPki.write(dir.resolve(name + ".pem"), PemWriter.pkcs8(client.keyPair().getPrivate()));
    }

    private TlsProbe probe() {
        return new TlsProbe(dir, port, "agent");
    }

    /** curl over mTLS (or without a client certificate when {@code client} is null); output ends with the status code. */
    Processes.Result curl(String client, String path, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", dir.resolve("edge-ca.crt").toString(),
                "-w", "\n%{http_code}"));
        command.addAll(List.of(extra));
        if (client != null) {
            command.addAll(List.of("--cert", dir.resolve(client + ".crt").toString(), "--key", dir.resolve(client + ".pem").toString()));
        }
        command.add("https://localhost:" + port + path);
        return Processes.run(dir, Duration.ofSeconds(30), command);
    }

    private void replaceAtomically(CertificateIssuer.Issued issued, Path cert, Path key) throws Exception {
        Path tmpCert = cert.resolveSibling(".next.crt");
        Path tmpKey = key.resolveSibling(".next.key");
        TestPki.write(tmpCert, PemWriter.certificates(issued.certificate()));
        TestPki.write(tmpKey, PemWriter.pkcs8(issued.keyPair().getPrivate()));
        Files.move(tmpKey, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpCert, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
