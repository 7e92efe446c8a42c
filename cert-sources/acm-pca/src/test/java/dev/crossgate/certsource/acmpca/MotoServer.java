package dev.crossgate.certsource.acmpca;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * moto's AWS emulator ({@code moto_server} from PyPI's {@code moto[server]}) on a loopback port, for the ACM
 * Private CA tests: the real AWS wire protocol, so the real SDK talks to it. Found as {@code $MOTO_SERVER}, on
 * the PATH, or in a virtualenv this class installs once into {@code ~/.cache/crossgate/moto-<version>}.
 */
public final class MotoServer implements AutoCloseable {

    static final String VERSION = "5.2.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final URI endpoint;

    private MotoServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts a server with an empty state, its output going to {@code log}. */
    public static MotoServer start(Path log) throws IOException, InterruptedException {
        Path executable = executable();
        int port = dev.crossgate.tls.LoopbackPorts.free();
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port));
        try {
            server.awaitUp(log);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    private void awaitUp(Path log) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("moto_server exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                var response = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("moto_server did not answer on " + endpoint + " within " + START_TIMEOUT + ": " + Files.readString(log));
    }

    static Path executable() throws IOException, InterruptedException {
        Optional<Path> configured = Optional.ofNullable(System.getenv("MOTO_SERVER")).map(Path::of);
        if (configured.isPresent()) {
            return configured.get();
        }
        Optional<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, "moto_server")).filter(Files::isExecutable).findFirst();
        if (onPath.isPresent()) {
            return onPath.get();
        }
        Path home = Path.of(System.getProperty("user.home"), ".cache", "crossgate", "moto-" + VERSION);
        install(home);
        return home.resolve("bin/moto_server");
    }

    /**
     * A virtualenv in its final place (virtualenvs cannot move: their scripts name their interpreter's path), marked
     * complete only at the end, built under a file lock so that two test JVMs do not build it at once.
     */
    private static void install(Path home) throws IOException, InterruptedException {
        Path complete = home.resolve(".complete");
        if (Files.exists(complete)) {
            return;
        }
        Files.createDirectories(home.getParent());
        try (FileChannel lockFile = FileChannel.open(home.resolveSibling(home.getFileName() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            if (Files.exists(complete)) {
                return;
            }
            if (Files.exists(home)) {
                try (Stream<Path> leftovers = Files.walk(home)) {
                    for (Path path : leftovers.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
            run(List.of("python3", "-m", "venv", home.toString()));
            run(List.of(home.resolve("bin/pip").toString(), "install", "-q", "--disable-pip-version-check", "moto[server]==" + VERSION));
            Files.createFile(complete);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("installing moto_server failed (" + String.join(" ", command) + "); set MOTO_SERVER to an installed "
                    + "moto_server, or run `pip install 'moto[server]==" + VERSION + "'`:\n" + output);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
