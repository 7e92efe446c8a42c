package dev.crossgate.certsource.acmpca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.tls.CertificateFacts;
import dev.crossgate.tls.SubjectAltName;
import dev.crossgate.tls.TlsMaterial;
import reactor.core.Disposable;

/** The source against moto's ACM Private CA, through the real AWS SDK, with faults injected by a proxy in between. */
class AcmPcaCertificateSourceTest {

    private static PrivateCa ca;

    private FaultProxy proxy;
    private CertificateSource source;

    @BeforeAll
    static void startEmulator() throws Exception {
        PrivateCa.useTestCredentialsInThisJvm();
        ca = PrivateCa.startEmulated(Path.of("target", "moto-acm-pca-test.log"), "Crossgate Test Root");
    }

    @AfterAll
    static void stopEmulator() {
        if (ca != null) {
            ca.close();
        }
    }

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new FaultProxy(ca.endpoint());
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        proxy.close();
    }

    @Test
    void issuesACertificateForAKeyMadeHereWithTheRequestedNamesAndTheCaAsTrust() throws Exception {
        source = start(Map.of("common-name", "gateway-a", "dns-names", "gateway-a.internal,gw.example.org",
                "uri-names", "spiffe://crossgate.test/ns/edge/sa/gateway-a", "ip-addresses", "10.1.2.3"));

        TlsMaterial material = awaitMaterial(source);
        CertificateFacts leaf = material.leafFacts().orElseThrow();
        assertThat(leaf.subject()).contains("CN=gateway-a");
        assertThat(leaf.subjectAltNames()).containsExactlyInAnyOrder(SubjectAltName.dns("gateway-a.internal"), SubjectAltName.dns("gw.example.org"),
                SubjectAltName.uri("spiffe://crossgate.test/ns/edge/sa/gateway-a"), SubjectAltName.ip("10.1.2.3"));
        assertThat(material.leaf().orElseThrow().getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(material.leaf().orElseThrow().getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        material.leaf().orElseThrow().verify(ca.certificate().getPublicKey());
        assertThat(material.trust()).containsExactly(ca.certificate());
        assertThat(material.chain()).as("the self-signed root is not served on the wire").hasSize(1);
        assertThat(source.counters().reloads()).isEqualTo(1);
        assertThat(source.counters().fetchFailures()).isZero();
        assertThat(proxy.calls("GetCertificateAuthorityCertificate")).isEqualTo(1);
        assertThat(proxy.calls("IssueCertificate")).isEqualTo(1);
        assertThat(proxy.calls("GetCertificate")).isGreaterThanOrEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"ec-p384, EC, 384", "rsa-2048, RSA, 2048", "rsa-3072, RSA, 3072"})
    void issuesForEveryKeyAlgorithmItOffers(String keyAlgorithm, String type, int bits) throws Exception {
        source = start(Map.of("dns-names", "gateway.internal", "key-algorithm", keyAlgorithm));

        X509Certificate leaf = awaitMaterial(source).leaf().orElseThrow();
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo(type);
        int size = leaf.getPublicKey() instanceof RSAPublicKey rsa ? rsa.getModulus().bitLength()
                : ((ECPublicKey) leaf.getPublicKey()).getParams().getCurve().getField().getFieldSize();
        assertThat(size).isEqualTo(bits);
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=gateway.internal");
    }

    @Test
    void renewsOnScheduleWithANewKeyAndHandsOutEachRenewal() throws Exception {
        Set<String> serials = ConcurrentHashMap.newKeySet();
        Set<java.security.PrivateKey> keys = ConcurrentHashMap.newKeySet();
        source = start(Map.of("dns-names", "gateway.internal", "renew-every", "1s"));
        Disposable watching = source.material().subscribe(m -> {
            serials.add(m.leafFacts().orElseThrow().serial());
            keys.add(m.privateKey());
        });
        try {
            await(() -> serials.size() >= 3, Duration.ofSeconds(20), () -> "three certificates issued one after the other");
        } finally {
            watching.dispose();
        }
        assertThat(keys).as("every renewal generates a new key pair").hasSizeGreaterThanOrEqualTo(3);
        assertThat(source.counters().reloads()).isGreaterThanOrEqualTo(3);
        assertThat(source.counters().fetchFailures()).isZero();
    }

    @Test
    void accessDeniedNamesTheIamActionAndTheCaThenRecoversOnceGranted() throws Exception {
        proxy.failAlways("IssueCertificate", FaultProxy.Fault.accessDenied("IssueCertificate", ca.arn()));
        source = start(Map.of("dns-names", "gateway.internal", "retry-initial-delay", "100ms", "retry-max-delay", "200ms"));

        await(() -> source.counters().fetchFailures() >= 3, Duration.ofSeconds(15), () -> "denied attempts, each counted");
        var failure = source.counters().lastFetchFailure();
        assertThat(failure.reason()).isEqualTo("ACCESS_DENIED");
        assertThat(failure.message()).contains("acm-pca:IssueCertificate", ca.arn(), "IAM policy", "AccessDeniedException");
        assertThat(source.current()).as("nothing to serve until a certificate is issued").isEmpty();

        proxy.clear();
        TlsMaterial material = awaitMaterial(source);
        assertThat(material.leafFacts().orElseThrow().subject()).contains("CN=gateway.internal");
    }

    @ParameterizedTest
    @CsvSource({
            "GetCertificate, ACCESS_DENIED, acm-pca:GetCertificate",
            "GetCertificateAuthorityCertificate, ACCESS_DENIED, acm-pca:GetCertificateAuthorityCertificate",
            "IssueCertificate, CREDENTIALS, ExpiredTokenException",
            "IssueCertificate, UNREACHABLE, cannot reach http://127.0.0.1"})
    void aFailedRenewalKeepsTheServedCertificateAndIsCountedAtEveryAttempt(String action, String reason, String named) throws Exception {
        source = start(Map.of("dns-names", "gateway.internal", "renew-every", "1s", "retry-initial-delay", "100ms", "retry-max-delay", "300ms"));
        awaitMaterial(source);
        FaultProxy.Fault fault = switch (reason) {
            case "ACCESS_DENIED" -> FaultProxy.Fault.accessDenied(action, ca.arn());
            case "CREDENTIALS" -> FaultProxy.Fault.expiredToken();
            default -> FaultProxy.Fault.DROP;
        };
        proxy.failAlways(action, fault);

        await(() -> source.counters().fetchFailures() >= 2, Duration.ofSeconds(20), () -> "two failed renewals");
        String servedSerial = source.current().orElseThrow().leafFacts().orElseThrow().serial();
        long reloads = source.counters().reloads();
        long failures = source.counters().fetchFailures();
        await(() -> source.counters().fetchFailures() >= failures + 2, Duration.ofSeconds(20), () -> "two more failed renewals");
        assertThat(source.counters().lastFetchFailure().reason()).isEqualTo(reason);
        assertThat(source.counters().lastFetchFailure().message()).contains(named);
        assertThat(source.current().orElseThrow().leafFacts().orElseThrow().serial()).as("the last good certificate keeps serving")
                .isEqualTo(servedSerial);
        assertThat(source.counters().reloads()).isEqualTo(reloads);

        proxy.clear();
        await(() -> !source.current().orElseThrow().leafFacts().orElseThrow().serial().equals(servedSerial), Duration.ofSeconds(15),
                () -> "renewal resuming once the fault is gone");
    }

    @ParameterizedTest
    @CsvSource({"throttling, 2", "unavailable, 2", "throttling, 5", "unavailable, 5"})
    void throttlingAndServerErrorsAreRetriedWithBackOffUntilTheyPass(String kind, int times) throws Exception {
        FaultProxy.Fault fault = kind.equals("throttling") ? FaultProxy.Fault.throttling() : FaultProxy.Fault.serviceUnavailable();
        proxy.fail("IssueCertificate", fault, times);
        source = start(Map.of("dns-names", "gateway.internal", "retry-initial-delay", "100ms", "retry-max-delay", "200ms"));

        awaitMaterial(source);
        assertThat(proxy.calls("IssueCertificate")).isEqualTo(times + 1);
        if (times < 3) {
            assertThat(source.counters().fetchFailures()).as("the SDK's own retries absorb short bursts").isZero();
        } else {
            assertThat(source.counters().fetchFailures()).isPositive();
            assertThat(source.counters().lastFetchFailure().reason()).isEqualTo(kind.equals("throttling") ? "THROTTLED" : "SERVER_ERROR");
        }
    }

    @Test
    void anUnreachableEndpointSaysWhereItTried() throws Exception {
        int closedPort = dev.crossgate.tls.LoopbackPorts.free(); // nothing listens there
        source = start(Map.of("dns-names", "gateway.internal", "endpoint", "http://127.0.0.1:" + closedPort), false);

        await(() -> source.counters().fetchFailures() >= 1, Duration.ofSeconds(20), () -> "a failed attempt");
        assertThat(source.counters().lastFetchFailure().reason()).isEqualTo("UNREACHABLE");
        assertThat(source.counters().lastFetchFailure().message())
                .contains("cannot reach http://127.0.0.1:" + closedPort, "acm-pca:GetCertificateAuthorityCertificate", "crossgate.certs.pca.endpoint");
        assertThat(source.current()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"pending, CA_NOT_ACTIVE, is not ACTIVE", "missing, CA_NOT_FOUND, crossgate.certs.pca.ca-arn"})
    void aCaThatIsNotActiveOrDoesNotExistIsNamedAsSuch(String state, String reason, String named) throws Exception {
        String arn = state.equals("pending") ? PrivateCa.createPending(ca.endpoint(), "Never Activated")
                : ca.arn().substring(0, ca.arn().lastIndexOf('/') + 1) + "00000000-0000-0000-0000-000000000000";
        source = start(Map.of("ca-arn", arn, "dns-names", "gateway.internal"));

        await(() -> source.counters().fetchFailures() >= 1, Duration.ofSeconds(15), () -> "a failed attempt");
        assertThat(source.counters().lastFetchFailure().reason()).isEqualTo(reason);
        assertThat(source.counters().lastFetchFailure().message()).contains(arn, named);
        assertThat(source.current()).isEmpty();
    }

    @Test
    void aCaDisabledLaterStopsRenewalsButNotTheServedCertificate() throws Exception {
        PrivateCa own = PrivateCa.createActive(ca.endpoint(), "Disabled Later");
        try (own) {
            source = start(Map.of("ca-arn", own.arn(), "dns-names", "gateway.internal", "renew-every", "1s",
                    "retry-initial-delay", "100ms", "retry-max-delay", "200ms"));
            awaitMaterial(source);
            own.disable();
            await(() -> source.counters().fetchFailures() >= 2, Duration.ofSeconds(15), () -> "renewals refused by a disabled CA");
            String serial = source.current().orElseThrow().leafFacts().orElseThrow().serial();
            long failures = source.counters().fetchFailures();
            await(() -> source.counters().fetchFailures() >= failures + 1, Duration.ofSeconds(15), () -> "another refused renewal");
            assertThat(source.counters().lastFetchFailure().reason()).isEqualTo("CA_NOT_ACTIVE");
            assertThat(source.current().orElseThrow().leafFacts().orElseThrow().serial()).isEqualTo(serial);
        }
    }

    private CertificateSource start(Map<String, String> settings) {
        return start(settings, true);
    }

    private CertificateSource start(Map<String, String> settings, boolean throughProxy) {
        Map<String, String> all = new HashMap<>();
        all.put("source", "acm-pca");
        all.put("ca-arn", ca.arn());
        if (throughProxy) {
            all.put("endpoint", proxy.endpoint().toString());
        }
        all.putAll(settings);
        try {
            CertificateSource created = new AcmPcaSourceProvider().create(new SourceSettings("pca", all, Clock.systemUTC()));
            created.start();
            return created;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static TlsMaterial awaitMaterial(CertificateSource source) throws InterruptedException {
        await(() -> source.current().isPresent(), Duration.ofSeconds(20), () -> "a certificate from ACM Private CA; last failure: "
                + source.counters().lastFetchFailure() + ", last rejection: " + source.counters().lastRejection());
        return source.current().orElseThrow();
    }

    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout + " for " + what.get());
            }
            Thread.sleep(50);
        }
    }
}
