package dev.crossgate.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the environment variables a test gateway is configured with, the way users write them. */
final class GatewayEnv {

    private GatewayEnv() {
    }

    /** {@code CROSSGATE_CERTS_<NAME>_*} of a file source; {@code ca} may be null. */
    static void fileSource(Map<String, String> env, String name, Path cert, Path key, Path ca) {
        String prefix = "CROSSGATE_CERTS_" + name.toUpperCase(Locale.ROOT) + "_";
        env.put(prefix + "SOURCE", "file");
        env.put(prefix + "CERT_PATH", cert.toString());
        env.put(prefix + "KEY_PATH", key.toString());
        if (ca != null) {
            env.put(prefix + "CA_PATH", ca.toString());
        }
    }

    /** {@code CROSSGATE_LISTENERS_<NAME>_*}: a listener on loopback that terminates TLS with the cert source {@code certs}. */
    static void tlsListener(Map<String, String> env, String name, int port, String protocol, String certs, String connector) {
        String prefix = "CROSSGATE_LISTENERS_" + key(name) + "_";
        env.put(prefix + "HOST", "127.0.0.1");
        env.put(prefix + "PORT", Integer.toString(port));
        env.put(prefix + "PROTOCOL", protocol);
        env.put(prefix + "TLS_CERTS", certs);
        env.put(prefix + "CONNECTOR", connector);
    }

    /** {@code CROSSGATE_CONNECTORS_<NAME>_*}: mutual TLS to {@code address}, identity and trust from the cert source {@code source}. */
    static void mtlsConnector(Map<String, String> env, String name, String address, String source, String serverName) {
        String prefix = "CROSSGATE_CONNECTORS_" + key(name) + "_";
        env.put(prefix + "ADDRESS", address);
        env.put(prefix + "TLS_CERTS", source);
        env.put(prefix + "TLS_TRUST", source);
        env.put(prefix + "TLS_SERVER_NAME", serverName);
    }

    /**
     * A TLS listener {@code edge} on loopback (HTTP/1.1 and h2 by ALPN) with a certificate for localhost from {@code pki},
     * in front of a plaintext connector {@code backend}; writes {@code tls.crt}, {@code tls.key} and {@code ca.crt} to {@code dir}.
     */
    static Map<String, String> tlsEdge(Path dir, dev.crossgate.tls.TestPki pki, int port, int backendPort) throws java.io.IOException {
        pki.writeFiles(pki.server("localhost"), dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"));
        Map<String, String> env = new HashMap<>();
        fileSource(env, "edge", dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        tlsListener(env, "edge", port, "http", "edge", "backend");
        env.put("CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "127.0.0.1:" + backendPort);
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_MODE", "off");
        return env;
    }

    private static String key(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** A plaintext TCP listener on loopback in front of a plaintext connector. */
    static Map<String, String> plainTcp(String listener, int port, String connector, int backendPort) {
        return plain("tcp", listener, port, connector, backendPort);
    }

    /** A plaintext HTTP listener on loopback in front of a plaintext connector. */
    static Map<String, String> plainHttp(String listener, int port, String connector, int backendPort) {
        return plain("http", listener, port, connector, backendPort);
    }

    private static Map<String, String> plain(String protocol, String listener, int port, String connector, int backendPort) {
        Map<String, String> env = new HashMap<>();
        String l = "CROSSGATE_LISTENERS_" + key(listener) + "_";
        String c = "CROSSGATE_CONNECTORS_" + key(connector) + "_";
        env.put(l + "PROTOCOL", protocol);
        env.put(l + "HOST", "127.0.0.1");
        env.put(l + "PORT", Integer.toString(port));
        env.put(l + "CONNECTOR", connector);
        env.put(l + "TLS_MODE", "off");
        env.put(c + "ADDRESS", "127.0.0.1:" + backendPort);
        env.put(c + "TLS_MODE", "off");
        return env;
    }

    /** {@code env K=V ... java -jar crossgate.jar}: for runs that should exit by themselves, such as configuration errors. */
    static List<String> command(Map<String, String> env) {
        List<String> command = new ArrayList<>(List.of("env"));
        env.forEach((name, value) -> command.add(name + "=" + value));
        command.addAll(Processes.crossgate());
        return command;
    }
}
