package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

/** What may be stapled: a successful, current response saying the leaf is good; anything else is refused with its reason. */
class OcspResponsesTest {

    private static final TestPki PKI = TestPki.create("ocsp-unit-ca");
    private static final CertificateIssuer.Issued LEAF = PKI.server("a.example");
    private static final Instant NOW = Instant.now();

    @Test
    void aGoodCurrentResponseForTheLeafIsAccepted() throws Exception {
        byte[] der = response(LEAF.certificate().getSerialNumber(), CertificateStatus.GOOD, NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        assertThat(OcspResponses.check(der, LEAF.certificate(), NOW, "staple.der")).isEqualTo(der);
    }

    @Test
    void revokedExpiredAboutAnotherCertificateOrNotOcspAreRefusedWithTheReason() throws Exception {
        BigInteger serial = LEAF.certificate().getSerialNumber();
        assertThatThrownBy(() -> OcspResponses.check(response(serial, new RevokedStatus(new Date(), 1), NOW.minusSeconds(60), null),
                LEAF.certificate(), NOW, "staple.der")).hasMessageContaining("is not good (revoked or unknown)");
        assertThatThrownBy(() -> OcspResponses.check(response(serial, CertificateStatus.GOOD, NOW.minus(Duration.ofDays(2)),
                NOW.minus(Duration.ofDays(1))), LEAF.certificate(), NOW, "staple.der")).hasMessageContaining("expired at")
                .extracting(e -> ((MaterialException) e).reason()).isEqualTo(MaterialException.Reason.EXPIRED);
        assertThatThrownBy(() -> OcspResponses.check(response(serial.add(BigInteger.ONE), CertificateStatus.GOOD, NOW.minusSeconds(60), null),
                LEAF.certificate(), NOW, "staple.der")).hasMessageContaining("has no status for the certificate with serial " + serial.toString(16));
        assertThatThrownBy(() -> OcspResponses.check("not ocsp".getBytes(), LEAF.certificate(), NOW, "staple.der"))
                .hasMessageContaining("staple.der is not an OCSP response in DER");
        assertThatThrownBy(() -> OcspResponses.check(new byte[0], LEAF.certificate(), NOW, "staple.der")).hasMessageContaining("is empty");
    }

    private static byte[] response(BigInteger serial, CertificateStatus status, Instant thisUpdate, Instant nextUpdate) throws Exception {
        var digests = new JcaDigestCalculatorProviderBuilder().build();
        X509CertificateHolder issuer = new X509CertificateHolder(PKI.ca.certificate().getEncoded());
        CertificateID id = new CertificateID(digests.get(CertificateID.HASH_SHA1), issuer, serial);
        BasicOCSPRespBuilder basic = new BasicOCSPRespBuilder(new RespID(issuer.getSubject()));
        basic.addResponse(id, status, Date.from(thisUpdate), nextUpdate == null ? null : Date.from(nextUpdate));
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(PKI.ca.keyPair().getPrivate());
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
                basic.build(signer, new X509CertificateHolder[] {issuer}, Date.from(thisUpdate))).getEncoded();
    }
}
