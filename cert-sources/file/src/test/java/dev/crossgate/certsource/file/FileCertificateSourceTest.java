package dev.crossgate.certsource.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.MaterialValidator;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.TestPki;
import dev.crossgate.tls.TlsMaterial;
import reactor.core.Disposable;

class FileCertificateSourceTest {

    /** Every wait is for an event, bounded generously so a slow CI machine does not fail a correct build. */
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TestPki PKI = TestPki.create("file-source-ca");

    @TempDir
    Path dir;
    private FileCertificateSource source;
    private Disposable subscription;
    private final BlockingQueue<TlsMaterial> seen = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        if (subscription != null) {
            subscription.dispose();
        }
        if (source != null) {
            source.close();
        }
    }

    @Test
    void aPrivateKeyOthersMayReadIsServedWithAWarningNamingTheFile() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        PKI.writeFiles(PKI.server("a"), cert, key, null);
        FileMaterialLoader loader = new FileMaterialLoader(spec(cert, key, null), new MaterialValidator(java.time.Clock.systemUTC(), Duration.ZERO, true),
                java.time.Clock.systemUTC());

        java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(loader.load(loader.read()).warnings()).isEmpty();

        java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        var result = loader.load(loader.read());
        assertThat(result.material().hasIdentity()).as("still served").isTrue();
        assertThat(result.warnings()).singleElement().asString()
                .contains("the private key " + key + " is readable by group or others (rw-r--r--)", "chmod 600");
    }

    @Test
    void loadsAtStartAndPicksUpInPlaceWrites() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Path ca = dir.resolve("ca.crt");
        CertificateIssuer.Issued first = PKI.server("a");
        PKI.writeFiles(first, cert, key, ca);
        start(spec(cert, key, ca));
        assertThat(awaitSerial(first)).isNotNull();

        for (int i = 0; i < 3; i++) {
            CertificateIssuer.Issued next = PKI.server("a");
            PKI.writeFiles(next, cert, key, null); // truncate-and-write into the same inodes
            awaitSerial(next);
        }
        await(() -> source.counters().reloads() == 4, "four applied reloads");
        assertThat(source.counters().rejectedReloads()).isZero();
    }

    @Test
    void picksUpAtomicRenames() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        PKI.writeFiles(PKI.server("a"), cert, key, null);
        start(spec(cert, key, null));
        awaitFirst();
        for (int i = 0; i < 3; i++) {
            CertificateIssuer.Issued next = PKI.server("a");
            Path tmpCert = dir.resolve(".tls.crt.tmp");
            Path tmpKey = dir.resolve(".tls.key.tmp");
            PKI.writeFiles(next, tmpCert, tmpKey, null);
            Files.move(tmpKey, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmpCert, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            awaitSerial(next);
        }
        assertThat(source.counters().rejectedReloads()).isZero();
    }

    /** The Kubernetes Secret-volume layout and its update, done by the kubelet's AtomicWriter, five times over. */
    @Test
    void followsEveryKubernetesSecretVolumeSymlinkSwap() throws Exception {
        KubeletVolume volume = new KubeletVolume(dir);
        volume.publish(PKI.server("a"));
        start(spec(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt")));
        awaitFirst();
        for (int i = 0; i < 5; i++) {
            CertificateIssuer.Issued next = PKI.server("a");
            volume.publish(next);
            awaitSerial(next);
        }
        await(() -> source.counters().reloads() == 6, "six applied reloads");
        assertThat(source.counters().rejectedReloads()).isZero();
    }

    @Test
    void waitsForAHalfWrittenPairToSettleInsteadOfFailing() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        CertificateIssuer.Issued first = PKI.server("a");
        PKI.writeFiles(first, cert, key, null);
        start(spec(cert, key, null));
        awaitSerial(first);

        CertificateIssuer.Issued next = PKI.server("a");
        TestPki.write(cert, PemWriter.certificates(next.certificate()));
        // The rotating tool is slow: the new certificate sits beside the old key for a while (a scenario, not a wait).
        Thread.sleep(600);
        assertThat(source.current().orElseThrow().leaf().orElseThrow()).isEqualTo(first.certificate());
        TestPki.write(key, PemWriter.pkcs8(next.keyPair().getPrivate()));
        awaitSerial(next);
        assertThat(source.counters().rejectedReloads()).isZero();
        assertThat(seen).isEmpty(); // nothing in between the old and the new pair was handed out
    }

    @Test
    void invalidMaterialKeepsTheLastGoodAndSaysWhy() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        CertificateIssuer.Issued good = PKI.server("a");
        PKI.writeFiles(good, cert, key, null);
        start(spec(cert, key, null));
        awaitSerial(good);

        TestPki.write(cert, "garbage that is not a certificate\n");
        await(() -> source.counters().rejectedReloads() == 1, "the garbage certificate to be rejected");
        assertThat(source.counters().lastRejection().reason()).isEqualTo("NOT_PEM_OR_DER");
        assertThat(source.counters().lastRejection().message()).contains(cert.toString());
        assertThat(source.current().orElseThrow().leaf().orElseThrow()).isEqualTo(good.certificate());

        // a key that never matches: refused once the settle time is over, old material still served
        CertificateIssuer.Issued other = PKI.server("a");
        TestPki.write(cert, PemWriter.certificates(other.certificate()));
        await(() -> source.counters().rejectedReloads() == 2, "the mismatched pair to be rejected after settling");
        assertThat(source.counters().lastRejection().reason()).isEqualTo("KEY_MISMATCH");
        assertThat(source.current().orElseThrow().leaf().orElseThrow()).isEqualTo(good.certificate());
        assertThat(seen).isEmpty();

        // and the rejections are not repeated while the files stay as they are
        TestPki.write(key, PemWriter.pkcs8(other.keyPair().getPrivate()));
        awaitSerial(other);
        assertThat(source.counters().rejectedReloads()).isEqualTo(2);
    }

    /** Files in a directory that did not exist at start send no events to us: only the poll finds them. */
    @Test
    void pollingFindsFilesThatNoWatchCanSee() throws Exception {
        Path later = dir.resolve("mounted-later");
        source = new FileCertificateSource(new FileSourceSpec("test", Optional.of(later.resolve("tls.crt")), Optional.of(later.resolve("tls.key")),
                Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMillis(50), Duration.ofMillis(1500), Duration.ofMillis(300)),
                new MaterialValidator(Clock.systemUTC(), Duration.ofDays(14), true), Clock.systemUTC());
        subscription = source.material().subscribe(seen::add);
        source.start();
        assertThat(source.current()).isEmpty();
        Files.createDirectories(later);
        CertificateIssuer.Issued issued = PKI.server("a");
        PKI.writeFiles(issued, later.resolve("tls.crt"), later.resolve("tls.key"), null);
        awaitSerial(issued);
    }

    @Test
    void trustBundleReloadsLikeLeaves() throws Exception {
        Path ca = dir.resolve("ca.crt");
        TestPki.write(ca, PKI.caPem());
        start(spec(null, null, ca));
        assertThat(awaitFirst().trust()).containsExactly(PKI.ca.certificate());
        TestPki next = TestPki.create("next-ca");
        TestPki.write(ca, PKI.caPem() + next.caPem());
        TlsMaterial both = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(both).isNotNull();
        assertThat(both.trust()).containsExactly(PKI.ca.certificate(), next.ca.certificate());
    }

    @Test
    void startsWithoutMaterialWhenTheFilesAreBadAndRecovers() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        CertificateIssuer.Issued good = PKI.server("a");
        TestPki.write(cert, PemWriter.certificates(good.certificate()));
        TestPki.write(key, PemWriter.pkcs8(KeyType.EC_P256.generate().getPrivate()));
        start(spec(cert, key, null));
        assertThat(source.current()).isEmpty();
        assertThat(source.counters().rejectedReloads()).isEqualTo(1); // at start-up: reported at once
        TestPki.write(key, PemWriter.pkcs8(good.keyPair().getPrivate()));
        awaitSerial(good);
    }

    @Test
    void providerIsFoundByTypeAndReadsEncryptedKeysWithThePassword() throws Exception {
        CertificateSourceProvider provider = java.util.ServiceLoader.load(CertificateSourceProvider.class).stream()
                .map(java.util.ServiceLoader.Provider::get).filter(p -> p.type().equals("file")).findFirst().orElseThrow();
        CertificateIssuer.Issued issued = PKI.server("a");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        TestPki.write(cert, PemWriter.certificates(issued.certificate()));
        TestPki.write(key, PemWriter.encryptedPkcs8(issued.keyPair().getPrivate(), "s3cret".toCharArray()));
        Map<String, String> values = new HashMap<>(Map.of("source", "file", "cert-path", cert.toString(), "key-path", key.toString(),
                "key-password", "s3cret"));
        source = (FileCertificateSource) provider.create(new SourceSettings("edge", values, Clock.systemUTC()));
        subscription = source.material().subscribe(seen::add);
        source.start();
        assertThat(awaitFirst().leaf()).contains(issued.certificate());
        assertThat(source.spec().toString()).doesNotContain("s3cret");
    }

    @Test
    void settingsErrorsNameTheEnvironmentVariable() throws Exception {
        Path cert = dir.resolve("tls.crt");
        TestPki.write(cert, PKI.caPem());
        assertSettingError(Map.of("cert-path", cert.toString()),
                "sets crossgate.certs.edge.cert-path (CROSSGATE_CERTS_EDGE_CERT_PATH) but not crossgate.certs.edge.key-path (CROSSGATE_CERTS_EDGE_KEY_PATH)");
        assertSettingError(Map.of("cert-path", dir.resolve("missing.crt").toString(), "key-path", cert.toString()),
                "crossgate.certs.edge.cert-path (CROSSGATE_CERTS_EDGE_CERT_PATH): " + dir.resolve("missing.crt") + " does not exist");
        assertSettingError(Map.of(), "needs crossgate.certs.edge.cert-path (CROSSGATE_CERTS_EDGE_CERT_PATH) and");
        assertSettingError(Map.of("ca-path", cert.toString(), "debounce", "soon"),
                "crossgate.certs.edge.debounce (CROSSGATE_CERTS_EDGE_DEBOUNCE): 'soon' is not a duration");
        assertSettingError(Map.of("ca-path", dir.toString()), "is not a readable file");
    }

    private static void assertSettingError(Map<String, String> values, String message) {
        assertThatThrownBy(() -> new FileSourceProvider().create(new SourceSettings("edge", values, Clock.systemUTC())))
                .isInstanceOf(SettingException.class).hasMessageContaining(message);
    }

    private FileSourceSpec spec(Path cert, Path key, Path ca) {
        return new FileSourceSpec("test", Optional.ofNullable(cert), Optional.ofNullable(key), Optional.ofNullable(ca), Optional.empty(),
                Optional.empty(), Duration.ofMillis(50), Duration.ofMillis(1500), Duration.ofSeconds(10));
    }

    private void start(FileSourceSpec spec) {
        source = new FileCertificateSource(spec, new MaterialValidator(Clock.systemUTC(), Duration.ofDays(14), true), Clock.systemUTC());
        subscription = source.material().subscribe(seen::add);
        source.start();
    }

    private TlsMaterial awaitFirst() throws InterruptedException {
        TlsMaterial material = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(material).as("material within %s", WAIT).isNotNull();
        return material;
    }

    /** Waits until the source hands out {@code expected}; anything else handed out in between fails the test. */
    private TlsMaterial awaitSerial(CertificateIssuer.Issued expected) throws InterruptedException {
        TlsMaterial material = awaitFirst();
        assertThat(material.leaf()).contains(expected.certificate());
        return material;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s for %s", WAIT, what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** What the kubelet's AtomicWriter does to a Secret volume: a new timestamped dir, a {@code ..data} symlink renamed over the old. */
    static final class KubeletVolume {
        private final Path root;
        private int generation;

        KubeletVolume(Path root) {
            this.root = root;
        }

        void publish(CertificateIssuer.Issued issued) throws Exception {
            Path data = root.resolve("..data");
            Path old = Files.isSymbolicLink(data) ? root.resolve(Files.readSymbolicLink(data)) : null;
            Path next = root.resolve("..2026_11_23_00_00_" + (generation++));
            Files.createDirectory(next);
            PKI.writeFiles(issued, next.resolve("tls.crt"), next.resolve("tls.key"), next.resolve("ca.crt"));
            Path tmp = root.resolve("..data_tmp");
            Files.createSymbolicLink(tmp, next.getFileName());
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String name : List.of("tls.crt", "tls.key", "ca.crt")) {
                Path link = root.resolve(name);
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Path.of("..data", name));
                }
            }
            if (old != null) {
                try (var files = Files.list(old)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(old);
            }
        }
    }
}
