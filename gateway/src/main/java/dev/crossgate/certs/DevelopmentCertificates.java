package dev.crossgate.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.SubjectAltName;

/**
 * A development CA with a server and a client certificate, in the file names of the SkyWalking TLS
 * docs ({@code .pem} is the private key): what {@code certs generate} writes and what {@code demo} serves.
 */
public final class DevelopmentCertificates {

    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.crt";
    public static final String SERVER_KEY = "server.pem";
    public static final String CLIENT_CERT = "client.crt";
    public static final String CLIENT_KEY = "client.pem";
    public static final List<String> FILES = List.of(CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY, CLIENT_CERT, CLIENT_KEY);
    public static final String CLIENT_NAME = "crossgate-client";

    /**
     * @param hosts      names and addresses the server certificate is valid for (DNS, IP, or URI such as SPIFFE IDs)
     * @param pkcs1      keys in the traditional encoding (PKCS#1 RSA / SEC1 EC) instead of PKCS#8
     */
    /** @param clientNames the client certificate's identities (DNS names, IPs, URIs such as SPIFFE IDs); the first is its CN */
    public record Request(Path directory, List<String> hosts, List<String> clientNames, KeyType keyType, int days, boolean pkcs1,
                          boolean overwrite) {
        public Request {
            hosts = List.copyOf(hosts);
            clientNames = List.copyOf(clientNames);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("at least one host is needed for the server certificate");
            }
            if (clientNames.isEmpty()) {
                throw new IllegalArgumentException("at least one name is needed for the client certificate");
            }
            if (days < 1) {
                throw new IllegalArgumentException("--days must be at least 1");
            }
            if (pkcs1 && keyType == KeyType.ED25519) {
                throw new IllegalArgumentException("Ed25519 keys have no PKCS#1 form; drop --pkcs1 or use an RSA or EC key type");
            }
        }
    }

    /** What was written, for the summary the command prints. */
    public record Written(Path directory, CertificateIssuer.Issued ca, CertificateIssuer.Issued server, CertificateIssuer.Issued client) {
    }

    private DevelopmentCertificates() {
    }

    public static Written generate(Request request) throws IOException {
        Path directory = request.directory();
        Files.createDirectories(directory);
        if (!request.overwrite()) {
            for (String file : FILES) {
                if (Files.exists(directory.resolve(file))) {
                    throw new FileAlreadyExistsException(directory.resolve(file).toString(), null,
                            "already exists; pass --force to replace the whole set");
                }
            }
        }
        Instant now = Instant.now();
        // Backdated a little so that a peer whose clock is slightly behind accepts them at once.
        Instant notBefore = now.minus(Duration.ofMinutes(5));
        Instant leafNotAfter = now.plus(Duration.ofDays(request.days()));
        Instant caNotAfter = now.plus(Duration.ofDays(Math.max(request.days(), 3650)));
        List<SubjectAltName> serverNames = request.hosts().stream().map(CertificateIssuer::nameOf).toList();

        CertificateIssuer.Issued ca = CertificateIssuer.rootCa("Crossgate Development CA", request.keyType().generate(), notBefore, caNotAfter);
        CertificateIssuer.Issued server = CertificateIssuer.leaf(ca, request.hosts().get(0), serverNames, CertificateIssuer.Usage.SERVER,
                request.keyType().generate(), notBefore, leafNotAfter);
        List<SubjectAltName> clientNames = request.clientNames().stream().map(CertificateIssuer::nameOf).toList();
        CertificateIssuer.Issued client = CertificateIssuer.leaf(ca, request.clientNames().get(0), clientNames,
                CertificateIssuer.Usage.CLIENT, request.keyType().generate(), notBefore, leafNotAfter);

        writePublic(directory.resolve(CA_CERT), PemWriter.certificates(ca.certificate()));
        writePrivate(directory.resolve(CA_KEY), key(ca, request.pkcs1()));
        writePublic(directory.resolve(SERVER_CERT), PemWriter.certificates(server.certificate()));
        writePrivate(directory.resolve(SERVER_KEY), key(server, request.pkcs1()));
        writePublic(directory.resolve(CLIENT_CERT), PemWriter.certificates(client.certificate()));
        writePrivate(directory.resolve(CLIENT_KEY), key(client, request.pkcs1()));
        return new Written(directory, ca, server, client);
    }

    private static String key(CertificateIssuer.Issued issued, boolean pkcs1) {
        return pkcs1 ? PemWriter.traditional(issued.keyPair()) : PemWriter.pkcs8(issued.keyPair());
    }

    private static void writePublic(Path path, String pem) throws IOException {
        Files.writeString(path, pem, StandardCharsets.US_ASCII);
    }

    /** Keys are readable by the owner only, set before any byte is written. */
    private static void writePrivate(Path path, String pem) throws IOException {
        Files.deleteIfExists(path);
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(path);
        }
        Files.writeString(path, pem, StandardCharsets.US_ASCII);
    }
}
