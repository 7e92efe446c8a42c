package dev.crossgate.certsource.kubernetes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.LoopbackPorts;
import dev.crossgate.tls.PemWriter;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real kube-apiserver with RBAC on, and the etcd behind it, on loopback ports, from binaries built once by
 * {@code tools/kube-test-env/build.sh} (cached under ~/.cache/crossgate). It can be restarted on the same port and
 * data, as an API-server upgrade or crash would; kubectl of the same version comes with it.
 */
public final class KubeApiServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path bin;
    private final Path dir;
    private final int etcdPort = LoopbackPorts.free();
    private final int peerPort = LoopbackPorts.free();
    private final int port = LoopbackPorts.free();
    private final String adminToken = UUID.randomUUID().toString();
    private Process etcd;
    private Process apiserver;

    private KubeApiServer(Path bin, Path dir) throws IOException {
        this.bin = bin;
        this.dir = dir;
    }

    /** Builds the binaries if they are not cached yet, then starts etcd and the API server with a fresh state under {@code dir}. */
    public static KubeApiServer start(Path dir) throws Exception {
        Path state = dir.toAbsolutePath();
        if (Files.exists(state)) {
            try (var old = Files.walk(state)) {
                for (Path path : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        KubeApiServer server = new KubeApiServer(binaries(), Files.createDirectories(state));
        try {
            server.prepare();
            server.etcd = server.launch("etcd", server.etcdCommand());
            server.startApiServer();
            return server;
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /**
     * Compacts etcd's history up to now (etcd's JSON gateway), as etcd does on its own every few minutes: a watch that
     * resumes from an older version is answered {@code 410 Gone} and must list again.
     */
    public void compactEtcd() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI etcd = URI.create("http://127.0.0.1:" + etcdPort);
        String range = http.send(HttpRequest.newBuilder(etcd.resolve("/v3/kv/range")).POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"AA==\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher revision = java.util.regex.Pattern.compile("\"revision\":\"(\\d+)\"").matcher(range);
        if (!revision.find()) {
            throw new IOException("no revision in etcd's answer: " + range);
        }
        var compacted = http.send(HttpRequest.newBuilder(etcd.resolve("/v3/kv/compaction"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"revision\":\"" + revision.group(1) + "\",\"physical\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (compacted.statusCode() != 200) {
            throw new IOException("etcd compaction failed: " + compacted.body());
        }
    }

    public Path kubectl() {
        return bin.resolve("kubectl");
    }

    /** A kubeconfig of the cluster admin (system:masters), for setting the cluster up as an operator would. */
    public Path adminKubeconfig() throws IOException {
        return kubeconfig("admin", adminToken, "default");
    }

    /**
     * A kubeconfig that authenticates with {@code token}, e.g. a ServiceAccount's from {@code kubectl create token}, its
     * context in {@code namespace} as a pod's service account is.
     */
    public Path kubeconfig(String user, String token, String namespace) throws IOException {
        return kubeconfig(user, token, namespace, port);
    }

    /** As {@link #kubeconfig(String, String, String)}, through another loopback port, e.g. a {@link TcpCut} in front of the server. */
    public Path kubeconfig(String user, String token, String namespace, int serverPort) throws IOException {
        dev.crossgate.tls.TestSecrets.remember(token);
        String config = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: %s
                  context:
                    cluster: test
                    user: %s
                    namespace: %s
                current-context: %s
                """.formatted("https://127.0.0.1:" + serverPort, dir.resolve("certs/apiserver.crt"), user, token, user, user, namespace, user);
        // no colons: KUBECONFIG is a colon-separated list
        Path file = dir.resolve("kubeconfig-" + user.replace(':', '-') + (serverPort == port ? "" : "-via-" + serverPort));
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    public KubernetesClient adminClient() throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(adminKubeconfig()))).build();
    }

    /** Runs kubectl as the admin; returns its output, failing with it when kubectl fails. */
    public String kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kubectl().toString(), "--kubeconfig", adminKubeconfig().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " failed:\n" + output);
        }
        return output;
    }

    /** Stops the API server and starts it again on the same port and etcd: watches break and must resume. */
    public void restart() throws Exception {
        stop(apiserver);
        startApiServer();
    }

    public void stopApiServer() {
        stop(apiserver);
    }

    public void startApiServer() throws Exception {
        apiserver = launch("kube-apiserver", apiServerCommand());
        awaitReady();
    }

    private void prepare() throws IOException {
        Files.createDirectories(dir.resolve("certs"));
        // the key that signs ServiceAccount tokens (TokenRequest, kubectl create token)
        java.security.PrivateKey signing = KeyType.RSA_2048.generate().getPrivate();
        dev.crossgate.tls.TestSecrets.rememberKey(signing);
        Files.writeString(dir.resolve("sa.key"), PemWriter.pkcs8(signing));
        Files.writeString(dir.resolve("tokens.csv"), adminToken + ",admin,admin-uid,system:masters\n");
    }

    private List<String> etcdCommand() {
        String client = "http://127.0.0.1:" + etcdPort;
        String peer = "http://127.0.0.1:" + peerPort;
        return List.of(bin.resolve("etcd").toString(), "--name", "test", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "test=" + peer, "--unsafe-no-fsync", "--log-level", "warn");
    }

    private List<String> apiServerCommand() {
        return List.of(bin.resolve("kube-apiserver").toString(),
                "--etcd-servers", "http://127.0.0.1:" + etcdPort,
                "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", Integer.toString(port),
                "--cert-dir", dir.resolve("certs").toString(),
                "--authorization-mode", "RBAC",
                "--token-auth-file", dir.resolve("tokens.csv").toString(),
                "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-account-key-file", dir.resolve("sa.key").toString(),
                "--service-account-signing-key-file", dir.resolve("sa.key").toString(),
                "--service-cluster-ip-range", "10.0.0.0/24",
                // the kubernetes Service endpoint may not be a loopback address; nothing here needs it
                "--endpoint-reconciler-type", "none",
                "--disable-admission-plugins", "ServiceAccount",
                "--enable-priority-and-fairness=false",
                "--v", "1");
    }

    private Process launch(String name, List<String> command) throws IOException {
        Path log = dir.resolve(name + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!apiserver.isAlive() || !etcd.isAlive()) {
                throw new IOException("kube-apiserver or etcd exited: " + tail("kube-apiserver.log") + tail("etcd.log"));
            }
            try {
                var response = http.send(HttpRequest.newBuilder(url().resolve("/readyz")).header("Authorization", "Bearer " + adminToken)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IOException("kube-apiserver not ready within " + START_TIMEOUT + ": " + last + tail("kube-apiserver.log"));
    }

    /** Only to poll /readyz before the serving certificate can be read; every client after that verifies it. */
    private static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    private String tail(String log) throws IOException {
        Path file = dir.resolve(log);
        if (!Files.exists(file)) {
            return "";
        }
        List<String> lines = Files.readAllLines(file);
        return "\n--- " + log + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Runs the build script once; it prints the folder of the binaries. */
    static Path binaries() throws Exception {
        Path script = repositoryRoot().resolve("tools/kube-test-env/build.sh");
        Process build = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!build.waitFor(40, TimeUnit.MINUTES) || build.exitValue() != 0) {
            throw new IOException("building kube-apiserver, etcd and kubectl failed (" + script + "): " + output);
        }
        return Path.of(output.substring(output.lastIndexOf('\n') + 1));
    }

    private static Path repositoryRoot() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("tools/kube-test-env/build.sh"))) {
                return dir;
            }
        }
        throw new IOException("tools/kube-test-env/build.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(apiserver);
        stop(etcd);
    }

}
