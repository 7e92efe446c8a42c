package dev.crossgate.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Asks a listener, with a fresh openssl handshake each time, which certificate it serves now: what a client
 * connecting after a rotation gets. {@code client} names {@code <client>.crt} and {@code <client>.pem} in {@code dir}
 * to present, for listeners that require a client certificate; null for none.
 */
record TlsProbe(Path dir, int port, String client) {

    /** The served certificate's serial, lower-case hex without leading zeros, as /certs and BigInteger.toString(16) write it. */
    String serial() throws Exception {
        String identity = client == null ? "" : " -cert " + client + ".crt -key " + client + ".pem";
        Processes.Result result = Processes.run(dir, Duration.ofSeconds(20), List.of("bash", "-c",
                "openssl s_client -connect 127.0.0.1:" + port + " -servername localhost" + identity
                        + " </dev/null 2>/dev/null | openssl x509 -noout -serial"));
        return result.output().trim().replace("serial=", "").toLowerCase().replaceFirst("^0+(?=.)", "");
    }

    /** Waits until new handshakes are served the certificate with this serial. */
    void await(String serial, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            seen = serial();
            if (seen.equals(serial)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("new handshakes were not served serial " + serial + " within " + timeout + " (last seen " + seen + ")");
    }
}
