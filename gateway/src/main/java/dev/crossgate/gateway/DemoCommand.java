package dev.crossgate.gateway;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.crossgate.certs.DevelopmentCertificates;
import dev.crossgate.tls.KeyType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crossgate.jar demo}: a development CA and certificates in a local folder, an mTLS HTTPS listener
 * in front of a built-in echo backend, the admin port, and a curl command that works. It is configured
 * through the same properties as any deployment, so what it shows is what users get.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs an mTLS HTTPS listener in front of a built-in echo backend, with development certificates.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dir", defaultValue = "crossgate-demo", description = "Where the development certificates go (kept across runs). Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--port", defaultValue = "8443", description = "HTTPS listener port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--admin-port", defaultValue = "9901", description = "Admin port. Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(dir.resolve(DevelopmentCertificates.SERVER_CERT))) {
            DevelopmentCertificates.generate(new DevelopmentCertificates.Request(dir, List.of("localhost", "127.0.0.1", "::1"),
                    List.of(DevelopmentCertificates.CLIENT_NAME),
                    KeyType.EC_P256, 365, false, false));
        }
        try (EchoBackend backend = new EchoBackend("127.0.0.1", 0)) {
            Map<String, String> properties = new HashMap<>();
            Path absolute = dir.toAbsolutePath().normalize();
            properties.put("crossgate.certs.demo.source", "file");
            properties.put("crossgate.certs.demo.cert-path", absolute.resolve(DevelopmentCertificates.SERVER_CERT).toString());
            properties.put("crossgate.certs.demo.key-path", absolute.resolve(DevelopmentCertificates.SERVER_KEY).toString());
            properties.put("crossgate.certs.demo.ca-path", absolute.resolve(DevelopmentCertificates.CA_CERT).toString());
            properties.put("crossgate.listeners.web.port", Integer.toString(port));
            properties.put("crossgate.listeners.web.connector", "echo");
            properties.put("crossgate.listeners.web.tls.certs", "demo");
            properties.put("crossgate.listeners.web.tls.client-auth", "require");
            properties.put("crossgate.listeners.web.tls.allowed-sans", DevelopmentCertificates.CLIENT_NAME);
            properties.put("crossgate.connectors.echo.address", "127.0.0.1:" + backend.port());
            properties.put("crossgate.connectors.echo.tls.mode", "off");
            properties.put("crossgate.admin.host", "127.0.0.1");
            properties.put("crossgate.admin.port", Integer.toString(adminPort));
            String rel = dir.toString();
            return Crossgate.serve(Map.of(), properties, out, spec.commandLine().getErr(), gateway -> {
                out.println();
                out.println("Crossgate demo: mTLS on https://localhost:" + gateway.listenerPort("web") + " in front of an echo backend; "
                        + "admin on http://127.0.0.1:" + gateway.adminPort());
                out.println("Try:");
                out.println("  curl --cacert " + rel + "/ca.crt --cert " + rel + "/client.crt --key " + rel + "/client.pem https://localhost:"
                        + gateway.listenerPort("web") + "/hello");
                out.println("  curl -s http://127.0.0.1:" + gateway.adminPort() + "/stats | grep ssl");
                out.println("Without --cert/--key the handshake is refused and counted (ssl.fail_verify_no_cert). Ctrl-C stops.");
                out.flush();
            });
        }
    }
}
