package dev.crossgate.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Rootful podman as the container engine of the tests: its Docker-compatible service on the socket the test JVM's
 * DOCKER_HOST names (started here unless something already listens there), and the Crossgate image built the
 * way users build it, with Jib and its AppCDS archive ({@code container/build-image.sh}), on a base made locally
 * ({@code container/base-image.sh}): no registry is involved.
 */
final class ContainerHost {

    static final Path SOCKET = Path.of("/tmp/crossgate-podman/podman.sock");
    static final String IMAGE = "localhost/crossgate:e2e";
    private static Process service;
    private static boolean imageBuilt;

    private ContainerHost() {
    }

    /** The service up and the image loaded, once per test JVM. */
    static synchronized void ready() throws Exception {
        if (!serviceAnswers()) {
            Files.createDirectories(SOCKET.getParent());
            Files.deleteIfExists(SOCKET);
            service = new ProcessBuilder("podman", "system", "service", "--time=0", "unix://" + SOCKET)
                    .redirectErrorStream(true).redirectOutput(SOCKET.resolveSibling("service.log").toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> service.destroy()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!serviceAnswers()) {
                if (!service.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("podman system service did not come up on " + SOCKET + ": "
                            + Files.readString(SOCKET.resolveSibling("service.log")));
                }
                Thread.sleep(100);
            }
        }
        if (!imageBuilt) {
            buildImage();
            imageBuilt = true;
        }
    }

    private static boolean serviceAnswers() throws InterruptedException {
        if (!Files.exists(SOCKET)) {
            return false;
        }
        try {
            return run(Duration.ofSeconds(10), "curl", "-sf", "--unix-socket", SOCKET.toString(), "http://d/_ping").contains("OK");
        } catch (IOException e) {
            return false;
        }
    }

    private static void buildImage() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String base = run(Duration.ofMinutes(5), "bash", root.resolve("container/base-image.sh").toString()).trim();
        base = base.substring(base.lastIndexOf('\n') + 1);
        run(Duration.ofMinutes(15), "bash", root.resolve("container/build-image.sh").toString(), "tar://" + base,
                IMAGE.substring("localhost/".length()));
    }

    static String run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }
}
