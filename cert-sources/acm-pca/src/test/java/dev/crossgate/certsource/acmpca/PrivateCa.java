package dev.crossgate.certsource.acmpca;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.CertificateRequest;
import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.MaterialReader;
import dev.crossgate.tls.PemWriter;
import dev.crossgate.tls.SubjectAltName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acmpca.AcmPcaClient;
import software.amazon.awssdk.services.acmpca.model.CertificateAuthorityStatus;
import software.amazon.awssdk.services.acmpca.model.CertificateAuthorityType;
import software.amazon.awssdk.services.acmpca.model.KeyAlgorithm;
import software.amazon.awssdk.services.acmpca.model.RequestInProgressException;
import software.amazon.awssdk.services.acmpca.model.SigningAlgorithm;
import software.amazon.awssdk.services.acmpca.model.ValidityPeriodType;

/**
 * A private CA set up in the emulator the way an operator sets one up in AWS, through the SDK: create it, sign
 * its CSR with the root template, import the result; then it is ACTIVE. Also issues certificates for test
 * clients, as another workload of the same CA would get them.
 */
public final class PrivateCa implements AutoCloseable {

    public static final String REGION = "us-east-1";
    /** Dummy keys for the emulator; the gateway finds them through the SDK's default chain, as it would real ones. */
    public static final String ACCESS_KEY_ID = "AKIACROSSGATETESTING";
    public static final String SECRET_ACCESS_KEY = "crossgate-test-secret-not-a-real-one";

    private final AcmPcaClient sdk;
    private final String arn;
    private final X509Certificate certificate;
    private MotoServer emulator;

    private PrivateCa(AcmPcaClient sdk, String arn, X509Certificate certificate) {
        this.sdk = sdk;
        this.arn = arn;
        this.certificate = certificate;
    }

    /** An emulator of its own, logging to {@code log}, holding one ACTIVE root CA; closing the CA stops the emulator. */
    public static PrivateCa startEmulated(Path log, String commonName) throws Exception {
        MotoServer moto = MotoServer.start(log);
        try {
            PrivateCa ca = createActive(moto.endpoint(), commonName);
            ca.emulator = moto;
            return ca;
        } catch (Exception | AssertionError e) {
            moto.close();
            throw e;
        }
    }

    /** The emulator's endpoint, for more CAs or a proxy in front of it. */
    public URI endpoint() {
        return emulator.endpoint();
    }

    /** For in-process sources: the default credential chain reads these system properties first. */
    public static void useTestCredentialsInThisJvm() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", SECRET_ACCESS_KEY);
        System.setProperty("aws.region", REGION);
    }

    /** An ACTIVE root CA named {@code commonName}. */
    public static PrivateCa createActive(URI endpoint, String commonName) throws Exception {
        AcmPcaClient sdk = client(endpoint);
        String arn = create(sdk, commonName);
        String csr = sdk.getCertificateAuthorityCsr(r -> r.certificateAuthorityArn(arn)).csr();
        String pem = issue(sdk, arn, csr, "RootCACertificate/V1", ValidityPeriodType.YEARS, 10);
        sdk.importCertificateAuthorityCertificate(r -> r.certificateAuthorityArn(arn).certificate(SdkBytes.fromUtf8String(pem)));
        return new PrivateCa(sdk, arn, read(pem));
    }

    /** A CA created but never given its certificate: PENDING_CERTIFICATE, as a half-finished Terraform apply leaves one. */
    public static String createPending(URI endpoint, String commonName) {
        try (AcmPcaClient sdk = client(endpoint)) {
            return create(sdk, commonName);
        }
    }

    public String arn() {
        return arn;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String certificatePem() {
        return PemWriter.certificates(certificate);
    }

    /** Takes the CA out of service, as an operator disabling it would. */
    public void disable() {
        sdk.updateCertificateAuthority(r -> r.certificateAuthorityArn(arn).status(CertificateAuthorityStatus.DISABLED));
    }

    public void enable() {
        sdk.updateCertificateAuthority(r -> r.certificateAuthorityArn(arn).status(CertificateAuthorityStatus.ACTIVE));
    }

    /** A certificate of this CA for a key made here, e.g. for a test client presenting a certificate to the gateway. */
    public CertificateIssuer.Issued issue(String commonName, List<SubjectAltName> sans) throws Exception {
        KeyPair keys = KeyType.EC_P256.generate();
        String csr = CertificateRequest.pem(commonName, sans, keys);
        return new CertificateIssuer.Issued(keys, read(issue(sdk, arn, csr, "EndEntityCertificate/V1", ValidityPeriodType.DAYS, 30)));
    }

    /** IssueCertificate with an AWS-managed template, then GetCertificate until it is there: the certificate's PEM. */
    private static String issue(AcmPcaClient sdk, String caArn, String csr, String template, ValidityPeriodType unit, long validity)
            throws InterruptedException {
        String certificateArn = sdk.issueCertificate(r -> r.certificateAuthorityArn(caArn)
                .csr(SdkBytes.fromUtf8String(csr))
                .signingAlgorithm(SigningAlgorithm.SHA256_WITHRSA)
                .templateArn("arn:aws:acm-pca:::template/" + template)
                .validity(v -> v.type(unit).value(validity))
                .idempotencyToken(UUID.randomUUID().toString())).certificateArn();
        return await(sdk, caArn, certificateArn);
    }

    private static String create(AcmPcaClient sdk, String commonName) {
        return sdk.createCertificateAuthority(r -> r
                .certificateAuthorityType(CertificateAuthorityType.ROOT)
                .certificateAuthorityConfiguration(c -> c
                        .keyAlgorithm(KeyAlgorithm.RSA_2048)
                        .signingAlgorithm(SigningAlgorithm.SHA256_WITHRSA)
                        .subject(s -> s.commonName(commonName).organization("Crossgate tests")))
                .idempotencyToken(UUID.randomUUID().toString())).certificateAuthorityArn();
    }

    private static String await(AcmPcaClient sdk, String caArn, String certificateArn) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return sdk.getCertificate(r -> r.certificateAuthorityArn(caArn).certificateArn(certificateArn)).certificate();
            } catch (RequestInProgressException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static X509Certificate read(String pem) throws MaterialException {
        return MaterialReader.readCertificates(pem.getBytes(StandardCharsets.US_ASCII), "the emulator").get(0);
    }

    static AcmPcaClient client(URI endpoint) {
        return AcmPcaClient.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    @Override
    public void close() {
        sdk.close();
        if (emulator != null) {
            emulator.close();
        }
    }
}
