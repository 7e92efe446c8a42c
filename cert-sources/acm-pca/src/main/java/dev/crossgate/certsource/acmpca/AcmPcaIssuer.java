package dev.crossgate.certsource.acmpca;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.crossgate.tls.CertificateRequest;
import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.MaterialReader;
import dev.crossgate.tls.MaterialValidator;
import software.amazon.awssdk.services.acmpca.model.SigningAlgorithm;

/**
 * One issuance, start to end: a fresh key pair made here (the private key never leaves the process), a CSR for
 * the configured names, IssueCertificate, waiting out RequestInProgress with bounded back-off, and the same
 * validation every source's material goes through, against the CA's own certificate as trust bundle.
 */
final class AcmPcaIssuer {

    private static final Duration FIRST_POLL = Duration.ofMillis(200);
    private static final Duration LONGEST_POLL = Duration.ofSeconds(5);

    private final AcmPcaSourceSpec spec;
    private final PrivateCaClient client;
    private final MaterialValidator validator;
    private final Clock clock;

    AcmPcaIssuer(AcmPcaSourceSpec spec, PrivateCaClient client, MaterialValidator validator, Clock clock) {
        this.spec = spec;
        this.client = client;
        this.validator = validator;
        this.clock = clock;
    }

    MaterialValidator.Result issue() throws AwsFault, MaterialException, InterruptedException {
        // Asked first: it proves the ARN, region, credentials and CA state before anything is issued, and tells the CA's key type.
        List<X509Certificate> caCertificates = client.caCertificates();
        SigningAlgorithm algorithm = signingAlgorithm(caCertificates.get(0).getPublicKey(), spec.caArn());
        KeyPair keys = spec.keyType().generate();
        String csr = CertificateRequest.pem(spec.commonName(), spec.subjectAltNames(), keys);
        Instant notAfter = clock.instant().plus(spec.validity());
        String certificateArn = client.issue(csr, algorithm, notAfter, UUID.randomUUID().toString());
        PrivateCaClient.Issued issued = await(certificateArn);

        String origin = "certificate " + certificateArn;
        List<X509Certificate> chain = new ArrayList<>(MaterialReader.readCertificates(ascii(issued.certificatePem()), origin));
        if (issued.chainPem() != null && !issued.chainPem().isBlank()) {
            // A root on the wire only costs bytes: peers must already hold it to trust it.
            MaterialReader.readCertificates(ascii(issued.chainPem()), origin + " (chain)").stream()
                    .filter(certificate -> !certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal()))
                    .forEach(chain::add);
        }
        var origins = new MaterialValidator.Origins(origin, "the key generated for " + certificateArn,
                "the certificate of CA " + spec.caArn());
        return validator.validate(spec.name(), keys.getPrivate(), chain, caCertificates, origins);
    }

    /** GetCertificate until the certificate is there, from 200 ms doubling to 5 s between asks, for at most issue-timeout. */
    private PrivateCaClient.Issued await(String certificateArn) throws AwsFault, InterruptedException {
        Instant deadline = clock.instant().plus(spec.issueTimeout());
        Duration pause = FIRST_POLL;
        while (true) {
            Optional<PrivateCaClient.Issued> issued = client.issued(certificateArn);
            if (issued.isPresent()) {
                return issued.get();
            }
            if (clock.instant().plus(pause).isAfter(deadline)) {
                throw new AwsFault(AwsFault.Kind.ISSUE_TIMEOUT, "certificate " + certificateArn + " was still being issued after "
                        + spec.issueTimeout() + " (GetCertificate kept answering RequestInProgress); a new request follows; "
                        + "raise crossgate.certs." + spec.name() + ".issue-timeout if the CA is known to be slow", null);
            }
            Thread.sleep(pause.toMillis());
            pause = pause.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : pause.multipliedBy(2);
        }
    }

    /** The algorithm the CA's own key can sign with; IssueCertificate refuses one that does not fit it. */
    static SigningAlgorithm signingAlgorithm(PublicKey caKey, CaArn caArn) throws MaterialException {
        if (caKey instanceof RSAPublicKey) {
            return SigningAlgorithm.SHA256_WITHRSA;
        }
        if (caKey instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 384 ? SigningAlgorithm.SHA512_WITHECDSA : bits > 256 ? SigningAlgorithm.SHA384_WITHECDSA : SigningAlgorithm.SHA256_WITHECDSA;
        }
        throw new MaterialException(MaterialException.Reason.UNSUPPORTED_KEY, "the private CA " + caArn + " has a " + caKey.getAlgorithm()
                + " key; Crossgate requests certificates from RSA and ECDSA CAs only");
    }

    private static byte[] ascii(String pem) {
        return pem.getBytes(StandardCharsets.US_ASCII);
    }
}
