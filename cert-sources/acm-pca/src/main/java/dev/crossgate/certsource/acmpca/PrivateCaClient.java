package dev.crossgate.certsource.acmpca;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.MaterialReader;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acmpca.AcmPcaClient;
import software.amazon.awssdk.services.acmpca.model.InvalidArgsException;
import software.amazon.awssdk.services.acmpca.model.InvalidArnException;
import software.amazon.awssdk.services.acmpca.model.InvalidRequestException;
import software.amazon.awssdk.services.acmpca.model.InvalidStateException;
import software.amazon.awssdk.services.acmpca.model.LimitExceededException;
import software.amazon.awssdk.services.acmpca.model.MalformedCsrException;
import software.amazon.awssdk.services.acmpca.model.RequestInProgressException;
import software.amazon.awssdk.services.acmpca.model.ResourceNotFoundException;
import software.amazon.awssdk.services.acmpca.model.SigningAlgorithm;
import software.amazon.awssdk.services.acmpca.model.ValidityPeriodType;

/**
 * The three ACM Private CA calls the source makes, and the translation of every way they fail into an
 * {@link AwsFault} that names the IAM action, the CA and the setting concerned. Throttling and 5xx answers
 * are first retried inside the SDK (standard mode: exponential back-off with jitter); what still fails
 * comes out here and is retried by the renewal loop with its own back-off.
 */
final class PrivateCaClient implements AutoCloseable {

    static final String ISSUE = "acm-pca:IssueCertificate";
    static final String GET = "acm-pca:GetCertificate";
    static final String GET_CA = "acm-pca:GetCertificateAuthorityCertificate";

    private static final Set<String> ACCESS_DENIED = Set.of("AccessDeniedException", "AccessDenied", "UnauthorizedOperation",
            "UnauthorizedException");
    private static final Set<String> BAD_CREDENTIALS = Set.of("UnrecognizedClientException", "InvalidClientTokenId",
            "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException", "ExpiredToken", "IncompleteSignature",
            "MissingAuthenticationToken", "MissingAuthenticationTokenException");
    private static final Set<String> THROTTLING = Set.of("ThrottlingException", "Throttling", "TooManyRequestsException",
            "RequestLimitExceeded", "SlowDown");

    /** What an issued certificate is fetched as. */
    record Issued(String certificatePem, String chainPem) {
    }

    private final AcmPcaClient sdk;
    private final AcmPcaSourceSpec spec;

    PrivateCaClient(AcmPcaClient sdk, AcmPcaSourceSpec spec) {
        this.sdk = sdk;
        this.spec = spec;
    }

    /** Makes no call yet; credentials are looked up (env, web identity/IRSA, container or instance role) at the first one. */
    static PrivateCaClient create(AcmPcaSourceSpec spec) {
        var builder = AcmPcaClient.builder()
                .region(Region.of(spec.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(20)))
                .overrideConfiguration(config -> config
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallAttemptTimeout(Duration.ofSeconds(20))
                        .apiCallTimeout(Duration.ofSeconds(60)));
        spec.endpoint().ifPresent(builder::endpointOverride);
        return new PrivateCaClient(builder.build(), spec);
    }

    /** The CA's own certificate first, then the chain above it: the trust bundle, and the CA key's type for the signing algorithm. */
    List<X509Certificate> caCertificates() throws AwsFault, MaterialException {
        var response = call(GET_CA, () -> sdk.getCertificateAuthorityCertificate(r -> r.certificateAuthorityArn(spec.caArn().text())));
        String origin = GET_CA.substring("acm-pca:".length()) + " of " + spec.caArn();
        List<X509Certificate> certificates = new ArrayList<>(MaterialReader.readCertificates(bytes(response.certificate()), origin));
        if (response.certificateChain() != null && !response.certificateChain().isBlank()) {
            certificates.addAll(MaterialReader.readCertificates(bytes(response.certificateChain()), origin + " (chain)"));
        }
        return certificates;
    }

    /** Asks the CA to sign the request; returns the ARN under which the certificate will be retrievable. */
    String issue(String csrPem, SigningAlgorithm algorithm, Instant notAfter, String idempotencyToken) throws AwsFault {
        return call(ISSUE, () -> sdk.issueCertificate(r -> r
                .certificateAuthorityArn(spec.caArn().text())
                .csr(SdkBytes.fromUtf8String(csrPem))
                .signingAlgorithm(algorithm)
                .templateArn(spec.templateArn())
                .validity(v -> v.type(ValidityPeriodType.ABSOLUTE).value(notAfter.getEpochSecond()))
                .idempotencyToken(idempotencyToken))).certificateArn();
    }

    /** The issued certificate, or empty while ACM Private CA is still issuing it (RequestInProgress). */
    Optional<Issued> issued(String certificateArn) throws AwsFault {
        try {
            var response = sdk.getCertificate(r -> r.certificateAuthorityArn(spec.caArn().text()).certificateArn(certificateArn));
            return Optional.of(new Issued(response.certificate(), response.certificateChain()));
        } catch (RequestInProgressException stillIssuing) {
            return Optional.empty();
        } catch (SdkException e) {
            throw explain(GET, e);
        }
    }

    private <T> T call(String action, Supplier<T> call) throws AwsFault {
        try {
            return call.get();
        } catch (SdkException e) {
            throw explain(action, e);
        }
    }

    AwsFault explain(String action, SdkException e) {
        String ca = spec.caArn().text();
        String setting = "crossgate.certs." + spec.name() + ".";
        String detail = awsMessage(e);
        if (e instanceof ResourceNotFoundException || e instanceof InvalidArnException) {
            return new AwsFault(AwsFault.Kind.CA_NOT_FOUND, action + " found no private CA " + ca + " in account " + spec.caArn().account()
                    + ", region " + spec.region() + " (" + detail + "); check " + setting + "ca-arn, and that the credentials belong to that account", e);
        }
        if (e instanceof InvalidStateException) {
            return new AwsFault(AwsFault.Kind.CA_NOT_ACTIVE, "the private CA " + ca + " is not ACTIVE, so " + action
                    + " cannot be served (a CA pending its certificate, disabled, expired or deleted; " + detail
                    + "); activate or restore it, or point " + setting + "ca-arn at an active CA", e);
        }
        if (e instanceof LimitExceededException) {
            return new AwsFault(AwsFault.Kind.LIMIT_EXCEEDED, action + " on " + ca + " hit an ACM Private CA quota (" + detail
                    + "); raise the quota or renew less often (" + setting + "renew-at, " + setting + "renew-every)", e);
        }
        if (e instanceof MalformedCsrException || e instanceof InvalidArgsException || e instanceof InvalidRequestException) {
            return new AwsFault(AwsFault.Kind.REQUEST_REFUSED, "the private CA " + ca + " refused the request of " + action + " (" + detail
                    + "); check " + setting + "key-algorithm, " + setting + "template-arn, " + setting + "validity and the names requested", e);
        }
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "" : String.valueOf(service.awsErrorDetails().errorCode());
            if (ACCESS_DENIED.contains(code) || service.statusCode() == 403 && !BAD_CREDENTIALS.contains(code)) {
                return new AwsFault(AwsFault.Kind.ACCESS_DENIED, "access denied to " + action + " on " + ca + " (" + detail
                        + "); the role the gateway runs as needs an IAM policy allowing " + action + " on that CA ARN", e);
            }
            if (BAD_CREDENTIALS.contains(code)) {
                return new AwsFault(AwsFault.Kind.CREDENTIALS, "AWS did not accept the gateway's credentials for " + action + " (" + detail
                        + "); check the role or keys the default provider chain finds (AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN, "
                        + "AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE for IRSA, the task or instance role)", e);
            }
            if (THROTTLING.contains(code) || service.statusCode() == 429 || service.isThrottlingException()) {
                return new AwsFault(AwsFault.Kind.THROTTLED, action + " on " + ca + " was throttled after the SDK's retries (" + detail + ")", e);
            }
            if (service.statusCode() >= 500) {
                return new AwsFault(AwsFault.Kind.SERVER_ERROR, action + " on " + ca + " failed at AWS after the SDK's retries (" + detail + ")", e);
            }
            return new AwsFault(AwsFault.Kind.REQUEST_REFUSED, action + " on " + ca + " was refused (" + detail + ")", e);
        }
        if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
            return new AwsFault(AwsFault.Kind.CREDENTIALS, "no AWS credentials found for " + action + ": give the gateway a role (IRSA: "
                    + "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE; an ECS task role; an EC2 instance profile) or set AWS_ACCESS_KEY_ID "
                    + "and AWS_SECRET_ACCESS_KEY in its environment; never in Crossgate's configuration", e);
        }
        String why = e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException ? "no answer in time" : rootCause(e);
        return new AwsFault(AwsFault.Kind.UNREACHABLE, "cannot reach " + spec.describeEndpoint() + " for " + action + " (" + why
                + "); check the network path, DNS and the VPC endpoint, or " + setting + "endpoint and " + setting + "region", e);
    }

    private static String awsMessage(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            var details = service.awsErrorDetails();
            String code = details.errorCode() == null ? "HTTP " + service.statusCode() : details.errorCode();
            return details.errorMessage() == null ? code : code + ": " + details.errorMessage();
        }
        return rootCause(e);
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static byte[] bytes(String pem) {
        return pem.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        sdk.close();
    }
}
