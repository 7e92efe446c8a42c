package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;

/**
 * A file source that delivers an OCSP response ({@code ocsp-path}) has it stapled to every handshake, as openssl
 * s_client -status sees it; one without gets none; a response about another certificate is refused with the reason
 * while the last good one stays stapled. The responses come from openssl's own OCSP responder code.
 */
class OcspStaplingTest extends GatewayTest {

    @Test
    void anOcspResponseDeliveredWithTheCertificateIsStapledAndOneAboutAnotherCertificateIsRefused() throws Exception {
        TestPki pki = TestPki.create("ocsp-ca");
        TestPki.write(dir.resolve("ca.crt"), pki.caPem());
        TestPki.write(dir.resolve("ca.key"), PemWriter.pkcs8(pki.ca.keyPair().getPrivate()));
        CertificateIssuer.Issued served = pki.server("localhost");
        pki.writeFiles(served, dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        CertificateIssuer.Issued other = pki.server("other.example");
        TestPki.write(dir.resolve("other.crt"), PemWriter.certificates(other.certificate()));
        ocspResponse("tls.crt", served, "good.der");
        ocspResponse("other.crt", other, "other.der");
        java.nio.file.Files.copy(dir.resolve("good.der"), dir.resolve("staple.der"));

        int stapled = Processes.freePort();
        int plain = Processes.freePort();
        Map<String, String> env = new HashMap<>();
        GatewayEnv.fileSource(env, "edge", dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        env.put("CROSSGATE_CERTS_EDGE_OCSP_PATH", dir.resolve("staple.der").toString());
        GatewayEnv.fileSource(env, "bare", dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        GatewayEnv.tlsListener(env, "edge", stapled, "http", "edge", "backend");
        GatewayEnv.tlsListener(env, "bare", plain, "http", "bare", "backend");
        env.put("CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "127.0.0.1:" + Processes.freePort());
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_MODE", "off");
        gateway = GatewayProcess.start(dir, env).awaitReady();

        String withStaple = status(stapled);
        assertThat(withStaple).contains("OCSP Response Status: successful").contains("Cert Status: good")
                .contains("Serial Number: " + opensslHex(served.certificate().getSerialNumber()));
        assertThat(status(plain)).contains("OCSP response: no response sent");

        // a response about another certificate: refused, said why, and the good one is still stapled
        java.nio.file.Files.copy(dir.resolve("other.der"), dir.resolve("staple.der"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        gateway.awaitStatAtLeast("certs.edge.rejected_reloads", 1);
        assertThat(gateway.admin("/certs").body()).contains("has no status for the certificate with serial "
                + served.certificate().getSerialNumber().toString(16));
        assertThat(status(stapled)).contains("OCSP Response Status: successful").contains("Cert Status: good");
    }

    /** openssl ocsp, as a CA's responder would answer for {@code cert}: good, valid one day. */
    private void ocspResponse(String certFile, CertificateIssuer.Issued cert, String out) throws Exception {
        String expiry = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(cert.certificate().getNotAfter().toInstant());
        String serial = opensslHex(cert.certificate().getSerialNumber());
        TestPki.write(dir.resolve(out + ".index"), "V\t" + expiry + "\t\t" + serial + "\tunknown\t/CN=" + cert.certificate()
                .getSubjectX500Principal().getName().replace("CN=", "") + "\n");
        Processes.ok(dir, "openssl", "ocsp", "-issuer", "ca.crt", "-cert", certFile, "-no_nonce", "-reqout", out + ".req");
        Processes.ok(dir, "openssl", "ocsp", "-index", out + ".index", "-rsigner", "ca.crt", "-rkey", "ca.key", "-CA", "ca.crt",
                "-reqin", out + ".req", "-respout", out, "-ndays", "1");
    }

    /** A serial as openssl prints it: upper-case hex in whole bytes, so a leading zero nibble stays. */
    private static String opensslHex(java.math.BigInteger serial) {
        String hex = serial.toString(16).toUpperCase();
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private String status(int port) throws Exception {
        return Processes.run(dir, Duration.ofSeconds(20), List.of("bash", "-c", "openssl s_client -connect 127.0.0.1:" + port
                + " -servername localhost -CAfile ca.crt -status </dev/null 2>&1")).output();
    }
}
