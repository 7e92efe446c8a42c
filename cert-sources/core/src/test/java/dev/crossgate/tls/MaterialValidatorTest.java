package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class MaterialValidatorTest {

    private static final MaterialValidator.Origins ORIGINS = new MaterialValidator.Origins("/tls/tls.crt", "/tls/tls.key", "/tls/ca.crt");
    private static final TestPki PKI = TestPki.create("validator-ca");
    private final MaterialValidator validator = new MaterialValidator(Clock.systemUTC(), Duration.ofDays(14), true);

    @Test
    void acceptsMatchingKeyAndChainAndDerivesFacts() throws Exception {
        CertificateIssuer.Issued server = PKI.server("gateway.example", "127.0.0.1", "spiffe://example/gw");
        MaterialValidator.Result result = validator.validate("edge", server.keyPair().getPrivate(),
                List.of(server.certificate()), List.of(PKI.ca.certificate()), ORIGINS);
        assertThat(result.warnings()).isEmpty();
        TlsMaterial material = result.material();
        CertificateFacts facts = material.leafFacts().orElseThrow();
        assertThat(facts.subject()).isEqualTo("CN=server");
        assertThat(facts.issuer()).isEqualTo("CN=validator-ca");
        assertThat(facts.subjectAltNames()).containsExactly(SubjectAltName.dns("gateway.example"), SubjectAltName.ip("127.0.0.1"),
                SubjectAltName.uri("spiffe://example/gw"));
        assertThat(facts.serial()).isEqualTo(server.certificate().getSerialNumber().toString(16));
        assertThat(facts.sha256Fingerprint()).hasSize(95).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(facts.keyDescription()).isEqualTo("EC P-256");
        assertThat(material.sourceName()).isEqualTo("edge");
        assertThat(material.toString()).doesNotContain(HexFormat.of().formatHex(server.keyPair().getPrivate().getEncoded()));
    }

    @Test
    void putsTheLeafFirstWhateverTheFileOrder() throws Exception {
        Instant now = Instant.now();
        CertificateIssuer.Issued intermediate = CertificateIssuer.intermediateCa(PKI.ca, "intermediate", KeyType.EC_P256.generate(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
        CertificateIssuer.Issued leaf = CertificateIssuer.leaf(intermediate, "leaf", List.of(SubjectAltName.dns("x")),
                CertificateIssuer.Usage.SERVER, KeyType.EC_P256.generate(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
        List<X509Certificate> shuffled = List.of(PKI.ca.certificate(), leaf.certificate(), intermediate.certificate());
        TlsMaterial material = validator.validate("edge", leaf.keyPair().getPrivate(), shuffled, List.of(PKI.ca.certificate()), ORIGINS).material();
        assertThat(material.chain()).containsExactly(leaf.certificate(), intermediate.certificate(), PKI.ca.certificate());
    }

    @Test
    void refusesCertificatesThatAreNotPartOfTheChain() {
        CertificateIssuer.Issued server = PKI.server("a");
        CertificateIssuer.Issued stranger = TestPki.create("other-ca").server("b");
        assertThatThrownBy(() -> MaterialValidator.leafFirst(List.of(server.certificate(), stranger.certificate()), "/tls/tls.crt"))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.CHAIN_BROKEN))
                .hasMessageContaining("/tls/tls.crt holds 2 certificates that do not form one chain");
    }

    @Test
    void keyThatDoesNotMatchNamesBothFilesAndNeverTheKey() {
        CertificateIssuer.Issued server = PKI.server("a");
        KeyPair other = KeyType.EC_P256.generate();
        assertThatThrownBy(() -> validator.validate("edge", other.getPrivate(), List.of(server.certificate()), List.of(), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.KEY_MISMATCH))
                .hasMessageContaining("the private key in /tls/tls.key (EC P-256) does not match the certificate in /tls/tls.crt (subject CN=server")
                .hasMessageNotContaining(HexFormat.of().formatHex(other.getPrivate().getEncoded()).substring(80, 110));
    }

    @Test
    void keyOfAnotherAlgorithmDoesNotMatch() {
        CertificateIssuer.Issued server = PKI.server("a");
        assertThatThrownBy(() -> validator.validate("edge", KeyType.RSA_2048.generate().getPrivate(), List.of(server.certificate()), List.of(), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.KEY_MISMATCH))
                .hasMessageContaining("(RSA-2048) does not match");
    }

    @Test
    void expiredAndNotYetValidLeavesAreRefused() {
        Instant now = Instant.now();
        KeyPair keys = KeyType.EC_P256.generate();
        CertificateIssuer.Issued expired = PKI.issue("old", keys, CertificateIssuer.Usage.SERVER, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)), "a");
        CertificateIssuer.Issued future = PKI.issue("new", keys, CertificateIssuer.Usage.SERVER, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)), "a");
        assertThatThrownBy(() -> validator.validate("edge", keys.getPrivate(), List.of(expired.certificate()), List.of(), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.EXPIRED))
                .hasMessageContaining("the certificate in /tls/tls.crt (subject CN=old").hasMessageContaining("expired at");
        assertThatThrownBy(() -> validator.validate("edge", keys.getPrivate(), List.of(future.certificate()), List.of(), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.NOT_YET_VALID))
                .hasMessageContaining("is not valid before");
    }

    @Test
    void chainThatDoesNotVerifyToTheBundleNamesBoth() {
        CertificateIssuer.Issued server = PKI.server("a");
        TestPki other = TestPki.create("unrelated-ca");
        assertThatThrownBy(() -> validator.validate("edge", server.keyPair().getPrivate(), List.of(server.certificate()),
                List.of(other.ca.certificate()), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.UNTRUSTED_CHAIN))
                .hasMessageContaining("does not verify to the CA bundle in /tls/ca.crt (CN=unrelated-ca)")
                .hasMessageContaining("issued by CN=validator-ca");
    }

    @Test
    void chainVerificationCanBeTurnedOffForBundlesOfAnotherCa() throws Exception {
        CertificateIssuer.Issued server = PKI.server("a");
        TestPki other = TestPki.create("peer-ca");
        MaterialValidator lenient = new MaterialValidator(Clock.systemUTC(), Duration.ofDays(14), false);
        assertThat(lenient.validate("edge", server.keyPair().getPrivate(), List.of(server.certificate()), List.of(other.ca.certificate()), ORIGINS)
                .material().trust()).containsExactly(other.ca.certificate());
    }

    @Test
    void bundleWithOldAndNewCaDuringRotationVerifies() throws Exception {
        TestPki next = TestPki.create("next-ca");
        CertificateIssuer.Issued server = PKI.server("a");
        TlsMaterial material = validator.validate("edge", server.keyPair().getPrivate(), List.of(server.certificate()),
                List.of(next.ca.certificate(), PKI.ca.certificate()), ORIGINS).material();
        assertThat(material.trust()).hasSize(2);
    }

    @Test
    void weakRsaKeyIsRefused() throws Exception {
        KeyPair weak = KeyType.rsa(1024);
        CertificateIssuer.Issued server = PKI.issue("weak", weak, CertificateIssuer.Usage.SERVER, "a");
        assertThatThrownBy(() -> validator.validate("edge", weak.getPrivate(), List.of(server.certificate()), List.of(), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.WEAK_KEY))
                .hasMessageContaining("has a weak RSA-1024 key; use RSA-2048 or larger");
    }

    @Test
    void warnsButAcceptsWhenTheLeafExpiresWithinTheWindow() throws Exception {
        Instant now = Instant.now();
        KeyPair keys = KeyType.EC_P256.generate();
        CertificateIssuer.Issued soon = PKI.issue("soon", keys, CertificateIssuer.Usage.SERVER, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3)), "a");
        MaterialValidator.Result result = validator.validate("edge", keys.getPrivate(), List.of(soon.certificate()), List.of(), ORIGINS);
        assertThat(result.material().hasIdentity()).isTrue();
        assertThat(result.warnings()).singleElement().asString().contains("expires in 2d 23h").contains("rotate it soon");
        MaterialValidator shortWindow = new MaterialValidator(Clock.systemUTC(), Duration.ofDays(1), true);
        assertThat(shortWindow.validate("edge", keys.getPrivate(), List.of(soon.certificate()), List.of(), ORIGINS).warnings()).isEmpty();
    }

    @Test
    void trustOnlyMaterialAndIncompletePairs() throws Exception {
        TlsMaterial trustOnly = validator.validate("backend-ca", null, List.of(), List.of(PKI.ca.certificate()), ORIGINS).material();
        assertThat(trustOnly.hasIdentity()).isFalse();
        CertificateIssuer.Issued server = PKI.server("a");
        assertThatThrownBy(() -> validator.validate("edge", null, List.of(server.certificate()), List.of(), ORIGINS))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.INCOMPLETE))
                .hasMessageContaining("/tls/tls.crt holds a certificate but no private key");
    }

    @Test
    void identicalReloadIsNotARotation() throws Exception {
        CertificateIssuer.Issued server = PKI.server("a");
        TlsMaterial first = validator.validate("edge", server.keyPair().getPrivate(), List.of(server.certificate()), List.of(PKI.ca.certificate()), ORIGINS).material();
        TlsMaterial again = validator.validate("edge", server.keyPair().getPrivate(), List.of(server.certificate()), List.of(PKI.ca.certificate()), ORIGINS).material();
        TlsMaterial otherTrust = validator.validate("edge", server.keyPair().getPrivate(), List.of(server.certificate()),
                List.of(PKI.ca.certificate(), TestPki.create("x").ca.certificate()), ORIGINS).material();
        assertThat(first.sameCertificatesAs(again)).isTrue();
        assertThat(first.sameCertificatesAs(otherTrust)).isFalse();
    }
}
