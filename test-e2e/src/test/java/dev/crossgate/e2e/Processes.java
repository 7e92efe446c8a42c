package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real programs (the packaged gateway, openssl, curl) with bounded waits. */
final class Processes {

    record Result(int exitCode, String output) {
    }

    private Processes() {
    }

    static Path crossgateJar() {
        Path jar = Path.of(System.getProperty("crossgate.jar", "../gateway/target/crossgate.jar"));
        assertThat(jar).as("the packaged gateway; run the tests through './mvnw verify'").exists();
        return jar;
    }

    /**
     * {@code java -jar crossgate.jar args...} with the same JVM that runs the tests, tracking every Netty buffer: the gateway
     * turns leak detection off for speed, the tests turn it fully on and {@link GatewayProcess#close()} fails on any leak.
     */
    static List<String> crossgate(String... args) {
        return java(List.of("-Dio.netty.leakDetection.level=paranoid"), args);
    }

    /**
     * {@code java -jar crossgate.jar args...} as shipped, without the suite's leak detection: it records a stack trace at
     * every buffer access, work and garbage a test of how busy the gateway's event loops are must not measure.
     */
    static List<String> crossgateAsShipped(String... args) {
        return java(List.of(), args);
    }

    private static List<String> java(List<String> options, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(options);
        command.addAll(List.of("-jar", crossgateJar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    static Result run(Path workDir, Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("crossgate-e2e", ".log");
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command) + "\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(process.exitValue(), output);
    }

    static Result run(Path workDir, String... command) throws IOException, InterruptedException {
        return run(workDir, Duration.ofSeconds(60), List.of(command));
    }

    static Result ok(Path workDir, String... command) throws IOException, InterruptedException {
        Result result = run(workDir, command);
        assertThat(result.exitCode()).as("%s\n%s", String.join(" ", command), result.output()).isZero();
        return result;
    }

    static int freePort() {
        return dev.crossgate.tls.LoopbackPorts.free();
    }

    /** Waits for {@code process} to listen on {@code port}; if it exits first or takes too long, fails with its {@code log}. */
    static void awaitListening(int port, Process process, Path log, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("process listening on " + port + " exited early:\n" + readIfThere(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nothing listened on 127.0.0.1:" + port + " within " + timeout + ":\n" + readIfThere(log));
    }

    private static String readIfThere(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
    }
}
