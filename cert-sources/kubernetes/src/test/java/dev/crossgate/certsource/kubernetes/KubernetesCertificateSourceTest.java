package dev.crossgate.certsource.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.TestPki;
import dev.crossgate.tls.TlsMaterial;
import io.fabric8.kubernetes.client.Config;

/**
 * The source against a real kube-apiserver with RBAC on, as a ServiceAccount that may read only its own Secrets:
 * updates followed within a second, bad content and deletion keeping the last good material, a missing grant
 * and a missing Secret named, and the watch surviving an API-server restart.
 */
class KubernetesCertificateSourceTest {

    private static final String NAMESPACE = "gateway";
    private static final List<String> GRANTED = List.of("edge-tls", "bundle", "later", "restart-tls", "doomed", "behind-tls");

    private static KubeApiServer api;
    private static KubeCluster cluster;
    private static Config gatewayConfig;
    private static final TestPki PKI = TestPki.create("kube-ca");

    private KubernetesCertificateSource source;

    @BeforeAll
    static void startApiServer() throws Exception {
        api = KubeApiServer.start(Path.of("target", "kube-api-source-test"));
        cluster = new KubeCluster(api);
        cluster.serviceAccountReading(NAMESPACE, "crossgate", GRANTED);
        gatewayConfig = Config.fromKubeconfig(Files.readString(cluster.kubeconfigOf(NAMESPACE, "crossgate")));
    }

    @AfterAll
    static void stopApiServer() {
        if (api != null) {
            api.close();
        }
    }

    @AfterEach
    void stopSource() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void servesTheSecretAndFollowsItsUpdatesWithinASecond() throws Exception {
        CertificateIssuer.Issued first = PKI.server("gateway.internal");
        cluster.tlsSecret(NAMESPACE, "edge-tls", first, PKI.caPem());
        source = start("edge-tls");

        TlsMaterial material = awaitMaterial(() -> serial(first));
        assertThat(material.trust()).containsExactly(PKI.ca.certificate());

        CertificateIssuer.Issued second = PKI.server("gateway.internal");
        long written = System.nanoTime();
        cluster.tlsSecret(NAMESPACE, "edge-tls", second, PKI.caPem());
        awaitMaterial(() -> serial(second));
        assertThat(Duration.ofNanos(System.nanoTime() - written)).as("update applied").isLessThan(Duration.ofSeconds(2));
        assertThat(source.counters().reloads()).isEqualTo(2);
        assertThat(source.counters().fetchFailures()).isZero();

        // content that does not validate is refused; the last good material stays
        cluster.put(NAMESPACE, new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("edge-tls").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", KubeCluster.base64(dev.crossgate.tls.PemWriter.certificates(first.certificate())))
                .addToData("tls.key", KubeCluster.base64(dev.crossgate.tls.PemWriter.pkcs8(second.keyPair().getPrivate()))).build());
        await(() -> source.counters().rejectedReloads() == 1, () -> "the mismatched pair refused");
        assertThat(source.counters().lastRejection().reason()).isEqualTo("KEY_MISMATCH");
        assertThat(source.counters().lastRejection().message()).contains("secret gateway/edge-tls key tls.key");
        assertThat(source.current().orElseThrow().leafFacts().orElseThrow().serial()).isEqualTo(serial(second));
    }

    @Test
    void aSecretWithOnlyCaCrtIsATrustBundle() throws Exception {
        cluster.caSecret(NAMESPACE, "bundle", PKI.caPem());
        source = start("bundle");

        await(() -> source.current().isPresent(), () -> "the bundle");
        assertThat(source.current().orElseThrow().hasIdentity()).isFalse();
        assertThat(source.current().orElseThrow().trust()).containsExactly(PKI.ca.certificate());
    }

    @Test
    void aMissingSecretIsNamedAndServedOnceCreated() throws Exception {
        source = start("later");

        await(() -> source.counters().fetchFailures() >= 1, () -> "a failure for the missing secret");
        assertThat(source.counters().lastFetchFailure().reason()).isEqualTo("SECRET_NOT_FOUND");
        assertThat(source.counters().lastFetchFailure().message()).contains("secret gateway/later does not exist",
                "kubectl -n gateway create secret tls later");
        assertThat(source.current()).isEmpty();

        CertificateIssuer.Issued issued = PKI.server("later.internal");
        cluster.tlsSecret(NAMESPACE, "later", issued, null);
        awaitMaterial(() -> serial(issued));
    }

    @Test
    void aDeletedSecretKeepsTheLastGoodMaterialUntilItComesBack() throws Exception {
        CertificateIssuer.Issued issued = PKI.server("doomed.internal");
        cluster.tlsSecret(NAMESPACE, "doomed", issued, null);
        source = start("doomed");
        awaitMaterial(() -> serial(issued));

        cluster.deleteSecret(NAMESPACE, "doomed");
        await(() -> source.counters().fetchFailures() >= 1, () -> "the deletion counted");
        assertThat(source.counters().lastFetchFailure().reason()).isEqualTo("SECRET_DELETED");
        assertThat(source.current().orElseThrow().leafFacts().orElseThrow().serial()).isEqualTo(serial(issued));

        CertificateIssuer.Issued again = PKI.server("doomed.internal");
        cluster.tlsSecret(NAMESPACE, "doomed", again, null);
        awaitMaterial(() -> serial(again));
    }

    @Test
    void aSecretTheRoleDoesNotGrantNamesTheVerbResourceNamespaceAndName() throws Exception {
        cluster.tlsSecret(NAMESPACE, "not-granted", PKI.server("x.internal"), null);
        source = start("not-granted");

        await(() -> source.counters().fetchFailures() >= 2, () -> "refusals, retried");
        assertThat(source.counters().lastFetchFailure().reason()).isEqualTo("FORBIDDEN");
        assertThat(source.counters().lastFetchFailure().message()).contains("refused to list secret gateway/not-granted",
                "system:serviceaccount:gateway:crossgate", "Role in namespace gateway granting get, list and watch on secrets with resourceNames [not-granted]");
        assertThat(source.current()).isEmpty();
    }

    @Test
    void theWatchResumesAfterAnApiServerRestart() throws Exception {
        CertificateIssuer.Issued before = PKI.server("restart.internal");
        cluster.tlsSecret(NAMESPACE, "restart-tls", before, null);
        source = start("restart-tls");
        awaitMaterial(() -> serial(before));

        api.restart();
        CertificateIssuer.Issued after = PKI.server("restart.internal");
        cluster.tlsSecret(NAMESPACE, "restart-tls", after, null);
        awaitMaterial(() -> serial(after));
        assertThat(source.counters().reloads()).isEqualTo(2);
    }

    @Test
    void aWatchCutOffWhileTheSecretChangesAndHistoryIsCompactedListsAgainAndMissesNothing() throws Exception {
        CertificateIssuer.Issued before = PKI.server("behind.internal");
        cluster.tlsSecret(NAMESPACE, "behind-tls", before, null);
        try (TcpCut network = new TcpCut(api.port())) {
            Config throughCut = Config.fromKubeconfig(Files.readString(cluster.kubeconfigOf(NAMESPACE, "crossgate", network.port())));
            source = start("behind-tls", throughCut);
            awaitMaterial(() -> serial(before));

            network.cut();
            CertificateIssuer.Issued changed = PKI.server("behind.internal");
            cluster.tlsSecret(NAMESPACE, "behind-tls", changed, null);
            // the API server's watch cache would replay the change; a restart empties it and the compaction removes it from etcd
            api.stopApiServer();
            api.compactEtcd();
            api.startApiServer();
            network.restore();

            awaitMaterial(() -> serial(changed));
            assertThat(source.counters().reloads()).isEqualTo(2);
        }
    }

    private KubernetesCertificateSource start(String secret) throws Exception {
        return start(secret, gatewayConfig);
    }

    private KubernetesCertificateSource start(String secret, Config config) throws Exception {
        SourceSettings settings = new SourceSettings("edge", Map.of("source", "kubernetes", "namespace", NAMESPACE, "secret-name", secret),
                Clock.systemUTC());
        KubernetesCertificateSource created = new KubernetesCertificateSource(KubernetesSourceProvider.spec(settings, null), config,
                settings.validator(), Clock.systemUTC());
        created.start();
        return created;
    }

    private TlsMaterial awaitMaterial(Supplier<String> serial) throws InterruptedException {
        await(() -> source.current().flatMap(TlsMaterial::leafFacts).map(f -> f.serial().equals(serial.get())).orElse(false),
                () -> "serial " + serial.get() + "; last failure " + source.counters().lastFetchFailure() + ", last rejection "
                        + source.counters().lastRejection());
        return source.current().orElseThrow();
    }

    private static String serial(CertificateIssuer.Issued issued) {
        return issued.certificate().getSerialNumber().toString(16);
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30s for " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
