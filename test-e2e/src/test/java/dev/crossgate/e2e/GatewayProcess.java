package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged gateway as its own process, configured only by environment variables, as users run it. */
final class GatewayProcess implements AutoCloseable {

    private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Process process;
    final Path log;
    final int adminPort;

    private GatewayProcess(Process process, Path log, int adminPort) {
        this.process = process;
        this.log = log;
        this.adminPort = adminPort;
    }

    static GatewayProcess start(Path dir, Map<String, String> environment) throws IOException {
        return start(dir, environment, Processes.crossgate());
    }

    /** As {@link #start(Path, Map)}, with a command line of the caller's (a JVM option of its own, say). */
    static GatewayProcess start(Path dir, Map<String, String> environment, List<String> command) throws IOException {
        int adminPort = Processes.freePort();
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Path log = Files.createTempFile(dir, "gateway", ".log");
        builder.redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("CROSSGATE_"));
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent("CROSSGATE_ADMIN_PORT", Integer.toString(adminPort));
        env.putIfAbsent("CROSSGATE_ADMIN_HOST", "127.0.0.1");
        builder.environment().putAll(env);
        return new GatewayProcess(builder.start(), log, Integer.parseInt(env.get("CROSSGATE_ADMIN_PORT")));
    }

    /** Waits until the admin port answers at all (it binds after the listeners), whatever the readiness. */
    GatewayProcess awaitAdmin() throws Exception {
        Processes.awaitListening(adminPort, process, log, Duration.ofSeconds(30));
        return this;
    }

    /** Waits for {@code /health/readiness} to answer 200, failing with the gateway's log if it exits or takes too long. */
    GatewayProcess awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("gateway exited early:\n%s", log()).isTrue();
            try {
                if (admin("/health/readiness").statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("gateway not ready within 30s:\n" + log());
    }

    /** The gateway's resident memory now, from the kernel. */
    long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for the gateway, pid " + process.pid());
    }

    HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /stats} parsed into name to value. */
    Map<String, Long> stats() throws IOException, InterruptedException {
        Map<String, Long> stats = new HashMap<>();
        for (String line : admin("/stats").body().split("\n")) {
            int colon = line.lastIndexOf(": ");
            if (colon > 0) {
                stats.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2).trim()));
            }
        }
        return stats;
    }

    long stat(String name) throws IOException, InterruptedException {
        return stats().getOrDefault(name, -1L);
    }

    /** Waits until a stat reaches {@code expected}; counters move after the client has already seen the outcome. */
    void awaitStat(String name, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stat(name) != expected) {
            assertThat(System.nanoTime()).as("%s stayed %d, expected %d\n%s", name, stat(name), expected, log()).isLessThan(deadline);
            Thread.sleep(25);
        }
    }

    /** Waits until a counter reaches at least {@code atLeast}, for counters that move on their own schedule (retries, renewals). */
    void awaitStatAtLeast(String name, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (stat(name) < atLeast) {
            assertThat(System.nanoTime()).as("%s stayed below %d\n%s", name, atLeast, log()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    List<String> logLines(String containing) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : log().split("\n")) {
            if (line.contains(containing)) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** SIGTERM, then the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(40, TimeUnit.SECONDS)).as("gateway exits after SIGTERM").isTrue();
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        keepLogAndRememberKeys();
        assertThat(logLines("LEAK:")).as("Netty buffers leaked\n%s", log()).isEmpty();
    }

    /**
     * The log goes to target/gateway-logs, where the suite's last test looks for secrets in it; private keys written
     * next to it (by the test or by {@code certs generate}) are among the secrets it looks for.
     */
    private void keepLogAndRememberKeys() throws IOException {
        Path kept = Files.createDirectories(Path.of("target", "gateway-logs"));
        Files.copy(log, kept.resolve(System.nanoTime() + "-" + log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (var files = Files.walk(log.getParent(), 3)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toFile().length() < 64 * 1024).toList()) {
                String text = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
                java.util.regex.Matcher pem = KEY_PEM.matcher(text);
                while (pem.find()) {
                    dev.crossgate.tls.TestSecrets.remember(pem.group(1).replaceAll("\\s", ""));
                }
            }
        }
    }

    private static final java.util.regex.Pattern KEY_PEM =
            java.util.regex.Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END");
}
