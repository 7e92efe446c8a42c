package dev.crossgate.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SkyWalking Node agent ({@code skywalking-backend-js} from npm, installed once into ~/.cache/crossgate) tracing a
 * small HTTP service: every request to it becomes a trace segment reported over gRPC with TLS (server verified).
 */
final class NodeAgent implements AutoCloseable {

    private static final String VERSION = "0.9.0";

    private final Process process;
    final Path log;
    final int port;

    NodeAgent(Path dir, String serviceName, String collector, Path caFile) throws Exception {
        Path modules = install();
        Files.createDirectories(dir);
        Path service = dir.resolve("service.js");
        try (var in = NodeAgent.class.getResourceAsStream("/node-agent/service.js")) {
            Files.copy(in, service, StandardCopyOption.REPLACE_EXISTING);
        }
        port = Processes.freePort();
        log = dir.resolve("node-agent.log");
        ProcessBuilder builder = new ProcessBuilder("node", service.toString(), Integer.toString(port)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("NODE_PATH", modules.toString(), "SW_AGENT_NAME", serviceName,
                "SW_AGENT_COLLECTOR_BACKEND_SERVICES", collector, "SW_AGENT_SECURE", "true",
                "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", caFile.toString(), "SW_AGENT_LOGGING_LEVEL", "info"));
        process = builder.start();
        Processes.awaitListening(port, process, log, Duration.ofSeconds(30));
    }

    /** The agent's error lines: a report that could not be sent. */
    List<String> errors() throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.toLowerCase().contains("error")).toList();
    }

    /** {@code npm install skywalking-backend-js@0.9.0} into a folder of its own, once; returns its node_modules. */
    static Path install() throws Exception {
        Path home = Path.of(System.getProperty("user.home"), ".cache", "crossgate", "node-agent-" + VERSION);
        Path modules = home.resolve("node_modules");
        if (Files.exists(home.resolve(".complete"))) {
            return modules;
        }
        Files.createDirectories(home);
        Files.writeString(home.resolve("package.json"), "{\"name\":\"crossgate-node-agent\",\"version\":\"1.0.0\",\"private\":true}");
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "skywalking-backend-js@" + VERSION)
                .directory(home.toFile()).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes());
        if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new IOException("npm install skywalking-backend-js@" + VERSION + " failed:\n" + output);
        }
        Files.createFile(home.resolve(".complete"));
        return modules;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
