package dev.crossgate.certs;

import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.crossgate.tls.CertificateFacts;
import dev.crossgate.tls.KeyType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossgate.jar certs generate}: a working CA, server and client set for people who do not speak openssl. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Writes a development CA and a server and a client certificate signed by it:",
                "ca.crt, ca.key, server.crt, server.pem, client.crt, client.pem (.pem files are private keys)."})
public final class CertsGenerateCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the files to (created if missing).")
    Path out;

    @Option(names = "--hosts", split = ",", paramLabel = "h1,h2", defaultValue = "localhost,127.0.0.1,::1",
            description = "Names and addresses the server certificate is valid for: DNS names, IP addresses, spiffe:// URIs. Default: ${DEFAULT-VALUE}.")
    List<String> hosts;

    @Option(names = "--client-names", split = ",", paramLabel = "n1,n2", defaultValue = DevelopmentCertificates.CLIENT_NAME,
            description = "Identities of the client certificate: DNS names, IP addresses, spiffe:// URIs; the first is also its CN. Default: ${DEFAULT-VALUE}.")
    List<String> clientNames;

    @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec-p256",
            description = "ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519. Default: ${DEFAULT-VALUE}.")
    String keyType;

    @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Validity of the server and client certificates. Default: ${DEFAULT-VALUE}.")
    int days;

    @Option(names = "--pkcs1", description = "Write keys as BEGIN RSA PRIVATE KEY / BEGIN EC PRIVATE KEY instead of PKCS#8.")
    boolean pkcs1;

    @Option(names = "--force", description = "Replace files that already exist in DIR.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DevelopmentCertificates.Written written;
        try {
            written = DevelopmentCertificates.generate(new DevelopmentCertificates.Request(this.out, trimmed(hosts), trimmed(clientNames),
                    KeyType.parse(keyType), days, pkcs1, force));
        } catch (IllegalArgumentException | FileAlreadyExistsException e) {
            err.println("crossgate certs generate: " + (e instanceof FileAlreadyExistsException f ? f.getFile() + " " + f.getReason() : e.getMessage()));
            return 2;
        }
        CertificateFacts server = CertificateFacts.of(written.server().certificate());
        Path dir = written.directory().toAbsolutePath().normalize();
        out.println("Wrote a development CA and certificates to " + dir + ":");
        out.println("  ca.crt, ca.key          CA certificate and key (keep ca.key private)");
        out.println("  server.crt, server.pem  server certificate for " + server.subjectAltNames() + ", and its key");
        out.println("  client.crt, client.pem  client certificate for " + CertificateFacts.of(written.client().certificate()).subjectAltNames()
                + ", and its key");
        out.println("Key type " + server.keyDescription() + (pkcs1 ? " (traditional PKCS#1/SEC1 encoding)" : " (PKCS#8)")
                + "; valid until " + server.notAfter() + ".");
        out.println("Check them:  openssl verify -CAfile " + dir.resolve("ca.crt") + " " + dir.resolve("server.crt") + " " + dir.resolve("client.crt"));
        out.flush();
        return 0;
    }

    private static List<String> trimmed(List<String> values) {
        return values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }
}
