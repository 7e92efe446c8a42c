package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.crossgate.tls.TestPki;

/**
 * What a listener's TLS refuses by default, asked with openssl s_client as a scanner would: old versions, suites
 * without AEAD or forward secrecy, weak curves, renegotiation, compression; and what weakening it takes.
 */
class StrictTlsTest extends GatewayTest {

    private int port;

    private void start(Map<String, String> extra) throws Exception {
        port = Processes.freePort();
        // an ECDSA P-256 server certificate
        Map<String, String> env = GatewayEnv.tlsEdge(dir, TestPki.create("strict-ca"), port, Processes.freePort());
        env.putAll(extra);
        gateway = GatewayProcess.start(dir, env).awaitReady();
    }

    /** The s_client transcript of one handshake (and of what follows it, when {@code input} sends a request). */
    private String handshake(String options, String input) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(20), List.of("bash", "-c", "(" + input + ") | openssl s_client -connect 127.0.0.1:"
                + port + " -servername localhost -CAfile ca.crt " + options + " 2>&1")).output();
    }

    private String handshake(String options) throws Exception {
        return handshake(options, "sleep 0.3");
    }

    private static boolean agreed(String transcript) {
        return transcript.contains("Verify return code: 0 (ok)") && !transcript.contains("Cipher is (NONE)");
    }

    @Test
    void byDefaultOnlyTls13And12WithAeadSuitesModernCurvesNoRenegotiationNoCompression() throws Exception {
        start(Map.of());
        assertThat(agreed(handshake("-tls1_3"))).isTrue();
        assertThat(agreed(handshake("-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256"))).isTrue();
        assertThat(agreed(handshake("-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305"))).isTrue();

        assertThat(handshake("-tls1_1 -cipher DEFAULT@SECLEVEL=0")).as("TLS 1.1").contains("alert protocol version");
        assertThat(agreed(handshake("-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA"))).as("CBC, no AEAD").isFalse();
        assertThat(agreed(handshake("-tls1_2 -cipher AES128-GCM-SHA256"))).as("RSA key exchange, no forward secrecy").isFalse();

        for (var group : Map.of("X25519", "X25519", "P-256", "prime256v1", "P-384", "secp384r1").entrySet()) {
            assertThat(handshake("-tls1_3 -groups " + group.getKey())).as(group.getKey()).contains("Server Temp Key: ", group.getValue());
        }
        assertThat(agreed(handshake("-tls1_3 -groups P-521"))).as("P-521 is not offered").isFalse();

        String transcript = handshake("-tls1_2", "sleep 0.5; echo R; sleep 1");
        assertThat(transcript).contains("Compression: NONE").contains("RENEGOTIATING").contains("no renegotiation");
        gateway.awaitStatAtLeast("listener.edge.ssl.handshake", 7);
        assertThat(gateway.logLines("TLS weakened")).isEmpty();
    }

    @Test
    void sessionTicketsAreIssuedByDefaultAndNotWhenSwitchedOff() throws Exception {
        start(Map.of());
        String request = "printf 'GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n'; sleep 1";
        assertThat(handshake("-tls1_3 -sess_out session.pem", request)).contains("New Session Ticket");
        assertThat(handshake("-tls1_3 -sess_in session.pem")).contains("Reused, TLSv1.3");
        gateway.close();

        start(Map.of("CROSSGATE_TLS_SESSION_TICKETS", "false"));
        assertThat(handshake("-tls1_3 -sess_out session.pem", request)).doesNotContain("New Session Ticket");
        assertThat(handshake("-tls1_3 -sess_in session.pem")).contains("New, TLSv1.3").doesNotContain("Reused");
        assertThat(gateway.logLines("TLS weakened")).isEmpty();
    }

    @Test
    void weakeningIsAnExplicitSettingNamedInAWarnAtStart() throws Exception {
        start(Map.of("CROSSGATE_TLS_CIPHER_SUITES", "TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
                        + "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                "CROSSGATE_TLS_GROUPS", "X25519,P-256,P-521"));
        assertThat(agreed(handshake("-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA"))).as("CBC, allowed by the setting").isTrue();
        assertThat(agreed(handshake("-tls1_3 -groups P-521"))).as("P-521, allowed by the setting").isTrue();
        assertThat(gateway.logLines("TLS weakened")).hasSize(2)
                .anySatisfy(line -> assertThat(line).contains("crossgate.tls.cipher-suites allows [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]"))
                .anySatisfy(line -> assertThat(line).contains("crossgate.tls.groups allows [P-521]"));
    }

    @Test
    void aMisspelledGroupOrProtocolStopsTheStartNamingTheSetting() throws Exception {
        for (var bad : Map.of("CROSSGATE_TLS_GROUPS", "X25519,secp999", "CROSSGATE_TLS_PROTOCOLS", "TLSv1.3,SSLv3").entrySet()) {
            Map<String, String> env = new HashMap<>();
            env.put(bad.getKey(), bad.getValue());
            Processes.Result result = Processes.run(dir, Duration.ofSeconds(30), GatewayEnv.command(env));
            assertThat(result.exitCode()).isNotZero();
            assertThat(result.output()).contains(bad.getKey()).contains(bad.getValue().substring(bad.getValue().indexOf(',') + 1));
        }
    }
}
