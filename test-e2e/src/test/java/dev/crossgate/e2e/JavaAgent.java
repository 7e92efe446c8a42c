package dev.crossgate.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The SkyWalking Java agent 9.4.0 from Maven Central (its pom's parent is not published there, so Maven cannot
 * resolve it; the jar is fetched once into ~/.cache/crossgate and checked against Central's SHA-1), attached to an
 * idle JVM: without plugins it reports heartbeats, instance properties and JVM metrics every second.
 */
final class JavaAgent implements AutoCloseable {

    private static final String VERSION = "9.4.0";
    private static final String SHA1 = "aeb0116e18b29c3dd953a34e6690199e8ea800dd";

    private final Process process;
    final Path log;

    /**
     * @param dir     the agent's folder: the jar is copied there and the TLS files ({@code ca.crt}, {@code client.crt},
     *                {@code client.pem}) are looked up there, as the agent resolves its paths against its own folder
     * @param backend {@code host:port} of the collector, here gateway A
     */
    JavaAgent(Path dir, String serviceName, String backend) throws Exception {
        this(dir, serviceName, backend, true);
    }

    /** @param mutual whether the agent presents its client certificate (mTLS) or only verifies the server (TLS) */
    JavaAgent(Path dir, String serviceName, String backend, boolean mutual) throws Exception {
        Files.createDirectories(dir);
        Files.copy(jar(), dir.resolve("skywalking-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
        // settings come as system properties; an empty config file spares the agent an ERROR about a missing one
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/agent.config"), "");
        log = dir.resolve("agent-output.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + dir.resolve("skywalking-agent.jar"),
                "-Dskywalking.agent.service_name=" + serviceName,
                "-Dskywalking.collector.backend_service=" + backend,
                "-Dskywalking.collector.grpc_channel_check_interval=1",
                "-Dskywalking.agent.force_tls=true",
                "-Dskywalking.agent.ssl_trusted_ca_path=ca.crt",
                "-Dskywalking.logging.output=CONSOLE",
                "-Dskywalking.logging.level=INFO",
                "-Dskywalking.agent.ssl_cert_chain_path=" + (mutual ? "client.crt" : ""),
                "-Dskywalking.agent.ssl_key_path=" + (mutual ? "client.pem" : ""),
                // only the idle program: SkyWalking's own protocol classes on the class path would shadow the agent's
                "-cp", Path.of(Idle.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(), Idle.class.getName(), "600"));
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The agent's own log lines at ERROR: a send that failed, a channel that broke. */
    List<String> errors() throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.contains("ERROR")).toList();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    static Path jar() throws Exception {
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "crossgate", "apm-agent-" + VERSION + ".jar");
        if (Files.exists(cached) && SHA1.equals(sha1(cached))) {
            return cached;
        }
        Files.createDirectories(cached.getParent());
        Path download = Files.createTempFile(cached.getParent(), "apm-agent", ".part");
        var response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(HttpRequest.newBuilder(URI.create(
                "https://repo.maven.apache.org/maven2/org/apache/skywalking/apm-agent/" + VERSION + "/apm-agent-" + VERSION + ".jar")).build(),
                HttpResponse.BodyHandlers.ofFile(download));
        if (response.statusCode() != 200 || !SHA1.equals(sha1(download))) {
            Files.deleteIfExists(download);
            throw new IOException("downloading the SkyWalking Java agent " + VERSION + " from Maven Central failed (HTTP " + response.statusCode() + ")");
        }
        Files.move(download, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return cached;
    }

    private static String sha1(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-1");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The monitored program: does nothing for the given seconds, which is all a JVM needs to report. */
    public static final class Idle {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(Long.parseLong(args[0]) * 1000);
        }
    }
}
