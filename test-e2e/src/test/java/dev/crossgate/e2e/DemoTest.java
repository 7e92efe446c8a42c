package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code crossgate.jar demo} on its own: it prints a curl command, and that command works as printed. */
class DemoTest {

    @TempDir
    Path dir;

    @Test
    void demoPrintsACurlCommandThatSucceeds() throws Exception {
        int port = Processes.freePort();
        int adminPort = Processes.freePort();
        List<String> command = new ArrayList<>(Processes.crossgate("demo", "--port", Integer.toString(port), "--admin-port", Integer.toString(adminPort)));
        Path log = dir.resolve("demo.log");
        Process demo = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String curl = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (curl == null && System.nanoTime() < deadline) {
                assertThat(demo.isAlive()).as("demo exited early:\n%s", Files.readString(log)).isTrue();
                curl = Files.readAllLines(log).stream().map(String::trim).filter(line -> line.startsWith("curl --cacert")).findFirst().orElse(null);
                Thread.sleep(50);
            }
            assertThat(curl).as("the demo prints a curl command:\n%s", Files.readString(log)).isNotNull();
            assertThat(Files.exists(dir.resolve("crossgate-demo/ca.crt"))).isTrue();

            Processes.Result result = Processes.run(dir, Duration.ofSeconds(30), List.of("bash", "-c", curl + " --max-time 20 -sS"));
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).contains("hello from the Crossgate demo backend")
                    .contains("x-forwarded-client-cert: Hash=").contains("Subject=\"CN=crossgate-client\"");
            // without the client certificate the handshake is refused, and counted
            Processes.Result refused = Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "--max-time", "20",
                    "--cacert", "crossgate-demo/ca.crt", "https://localhost:" + port + "/hello"));
            assertThat(refused.exitCode()).isNotZero();
            String stats = "";
            long statsDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!stats.contains("listener.web.ssl.fail_verify_no_cert: 1") && System.nanoTime() < statsDeadline) {
                stats = Processes.run(dir, Duration.ofSeconds(30), List.of("curl", "-sS", "http://127.0.0.1:" + adminPort + "/stats")).output();
                Thread.sleep(25);
            }
            assertThat(stats).contains("listener.web.ssl.handshake: 1").contains("listener.web.ssl.fail_verify_no_cert: 1");
        } finally {
            demo.destroy();
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(demo.exitValue()).isZero();
    }
}
