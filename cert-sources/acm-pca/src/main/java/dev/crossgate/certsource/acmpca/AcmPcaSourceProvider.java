package dev.crossgate.certsource.acmpca;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.SubjectAltName;

/** {@code crossgate.certs.<name>.source=acm-pca}. */
public final class AcmPcaSourceProvider implements CertificateSourceProvider {

    public static final String CA_ARN = "ca-arn";
    public static final String REGION = "region";
    public static final String ENDPOINT = "endpoint";
    public static final String COMMON_NAME = "common-name";
    public static final String DNS_NAMES = "dns-names";
    public static final String URI_NAMES = "uri-names";
    public static final String IP_ADDRESSES = "ip-addresses";
    public static final String KEY_ALGORITHM = "key-algorithm";
    public static final String TEMPLATE_ARN = "template-arn";
    public static final String VALIDITY = "validity";
    public static final String RENEW_AT = "renew-at";
    public static final String RENEW_EVERY = "renew-every";
    public static final String RETRY_INITIAL_DELAY = "retry-initial-delay";
    public static final String RETRY_MAX_DELAY = "retry-max-delay";
    public static final String ISSUE_TIMEOUT = "issue-timeout";

    /** The region in an AWS endpoint's host: {@code acm-pca.eu-west-1.amazonaws.com}, {@code vpce-01.acm-pca.eu-west-1.vpce.amazonaws.com}. */
    private static final Pattern AWS_ENDPOINT_REGION = Pattern.compile("(?:^|\\.)acm-pca(?:-fips)?\\.([a-z]{2}(?:-[a-z]+)+-\\d+)\\.(?:vpce\\.)?amazonaws\\.");

    /** ACM Private CA signs RSA and ECDSA keys; Ed25519 it does not. */
    private static final Set<KeyType> SIGNABLE = Set.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_2048, KeyType.RSA_3072, KeyType.RSA_4096);

    @Override
    public String type() {
        return AcmPcaCertificateSource.TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of(CA_ARN, REGION, ENDPOINT, COMMON_NAME, DNS_NAMES, URI_NAMES, IP_ADDRESSES, KEY_ALGORITHM, TEMPLATE_ARN,
                VALIDITY, RENEW_AT, RENEW_EVERY, RETRY_INITIAL_DELAY, RETRY_MAX_DELAY, ISSUE_TIMEOUT);
    }

    @Override
    public CertificateSource create(SourceSettings settings) throws SettingException {
        AcmPcaSourceSpec spec = spec(settings);
        // The validator's "rotate it soon" warning is for certificates someone rotates by hand; these renew themselves,
        // so warn only when a fresh one already lives shorter than half its renewal window.
        Duration renewalWindow = Duration.ofMillis((long) (spec.validity().toMillis() * (1 - spec.renewAt())));
        return new AcmPcaCertificateSource(spec, PrivateCaClient.create(spec), settings.validator(renewalWindow.dividedBy(2)), settings.clock());
    }

    static AcmPcaSourceSpec spec(SourceSettings settings) throws SettingException {
        CaArn caArn;
        try {
            caArn = CaArn.parse(settings.required(CA_ARN));
        } catch (IllegalArgumentException e) {
            throw new SettingException(settings.describe(CA_ARN) + ": " + e.getMessage());
        }
        String region = settings.optional(REGION).map(r -> r.toLowerCase(Locale.ROOT)).orElse(caArn.region());
        if (!region.equals(caArn.region())) {
            throw new SettingException(settings.describe(REGION) + " is " + region + " but the CA in " + settings.describe(CA_ARN)
                    + " lives in " + caArn.region() + "; a private CA is only reachable in its own region (leave "
                    + settings.property(REGION) + " unset to use the CA's region)");
        }
        Optional<URI> endpoint = endpoint(settings);
        Optional<String> endpointRegion = endpoint.map(URI::getHost).map(AWS_ENDPOINT_REGION::matcher).filter(Matcher::find).map(m -> m.group(1));
        if (endpointRegion.isPresent() && !endpointRegion.get().equals(region)) {
            throw new SettingException(settings.describe(ENDPOINT) + " is an endpoint of " + endpointRegion.get() + " but the CA in "
                    + settings.describe(CA_ARN) + " lives in " + caArn.region() + "; AWS would refuse the request's signature");
        }
        List<SubjectAltName> sans = new ArrayList<>();
        settings.list(DNS_NAMES).forEach(name -> sans.add(SubjectAltName.dns(name)));
        for (String uri : settings.list(URI_NAMES)) {
            if (!uri.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.+")) {
                throw new SettingException(settings.describe(URI_NAMES) + ": '" + uri + "' is not a URI (e.g. spiffe://example.org/ns/a/sa/gateway)");
            }
            sans.add(SubjectAltName.uri(uri));
        }
        for (String ip : settings.list(IP_ADDRESSES)) {
            if (!ip.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new SettingException(settings.describe(IP_ADDRESSES) + ": '" + ip + "' is not an IPv4 or IPv6 address");
            }
            sans.add(SubjectAltName.ip(ip));
        }
        String commonName = settings.optional(COMMON_NAME)
                .or(() -> settings.list(DNS_NAMES).stream().findFirst())
                .orElseThrow(() -> new SettingException("source " + settings.name() + " needs " + settings.describe(COMMON_NAME)
                        + " or at least one name in " + settings.describe(DNS_NAMES) + " to request a certificate for"));
        KeyType keyType = keyType(settings);
        Duration validity = settings.duration(VALIDITY, AcmPcaSourceSpec.DEFAULT_VALIDITY);
        if (validity.compareTo(AcmPcaSourceSpec.MINIMUM_VALIDITY) < 0) {
            throw new SettingException(settings.describe(VALIDITY) + " is " + validity + "; ask for at least 1h");
        }
        double renewAt = fraction(settings);
        Optional<Duration> renewEvery = settings.has(RENEW_EVERY) ? Optional.of(settings.duration(RENEW_EVERY, Duration.ZERO)) : Optional.empty();
        if (renewEvery.isPresent() && renewEvery.get().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new SettingException(settings.describe(RENEW_EVERY) + " must be at least 1s");
        }
        Duration retryInitial = settings.duration(RETRY_INITIAL_DELAY, AcmPcaSourceSpec.DEFAULT_RETRY_INITIAL_DELAY);
        Duration retryMax = settings.duration(RETRY_MAX_DELAY, AcmPcaSourceSpec.DEFAULT_RETRY_MAX_DELAY);
        if (retryInitial.isZero() || retryMax.compareTo(retryInitial) < 0) {
            throw new SettingException(settings.describe(RETRY_INITIAL_DELAY) + " must be above zero and at most "
                    + settings.describe(RETRY_MAX_DELAY) + " (" + retryInitial + " and " + retryMax + " given)");
        }
        Duration issueTimeout = settings.duration(ISSUE_TIMEOUT, AcmPcaSourceSpec.DEFAULT_ISSUE_TIMEOUT);
        if (issueTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new SettingException(settings.describe(ISSUE_TIMEOUT) + " must be at least 1s");
        }
        String template = settings.optional(TEMPLATE_ARN).orElse(caArn.template(AcmPcaSourceSpec.END_ENTITY_TEMPLATE));
        if (!template.startsWith("arn:") || !template.contains(":acm-pca:::template/")) {
            throw new SettingException(settings.describe(TEMPLATE_ARN) + ": '" + template + "' is not a certificate template ARN (e.g. "
                    + caArn.template(AcmPcaSourceSpec.END_ENTITY_TEMPLATE) + ")");
        }
        return new AcmPcaSourceSpec(settings.name(), caArn, region, endpoint, commonName, sans, keyType, template, validity, renewAt,
                renewEvery, retryInitial, retryMax, issueTimeout);
    }

    private static Optional<URI> endpoint(SourceSettings settings) throws SettingException {
        Optional<String> value = settings.optional(ENDPOINT);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.get());
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // explained below
        }
        throw new SettingException(settings.describe(ENDPOINT) + ": '" + value.get()
                + "' is not an http(s) URL such as https://acm-pca.eu-west-1.amazonaws.com or a VPC endpoint's URL");
    }

    private static KeyType keyType(SourceSettings settings) throws SettingException {
        String value = settings.optional(KEY_ALGORITHM).orElse(KeyType.EC_P256.label());
        List<String> allowed = SIGNABLE.stream().map(KeyType::label).sorted().toList();
        try {
            KeyType type = KeyType.parse(value);
            if (SIGNABLE.contains(type)) {
                return type;
            }
        } catch (IllegalArgumentException e) {
            // explained below
        }
        throw new SettingException(settings.describe(KEY_ALGORITHM) + ": '" + value + "' is not a key ACM Private CA signs; use one of " + allowed);
    }

    /** {@code 0.67}, {@code 67%} or {@code 2/3}. */
    private static double fraction(SourceSettings settings) throws SettingException {
        Optional<String> value = settings.optional(RENEW_AT);
        if (value.isEmpty()) {
            return AcmPcaSourceSpec.DEFAULT_RENEW_AT;
        }
        String text = value.get().trim();
        try {
            double fraction;
            if (text.endsWith("%")) {
                fraction = Double.parseDouble(text.substring(0, text.length() - 1).trim()) / 100;
            } else if (text.contains("/")) {
                String[] parts = text.split("/", 2);
                fraction = Double.parseDouble(parts[0].trim()) / Double.parseDouble(parts[1].trim());
            } else {
                fraction = Double.parseDouble(text);
            }
            if (fraction >= 0.1 && fraction <= 0.9) {
                return fraction;
            }
        } catch (NumberFormatException e) {
            // explained below
        }
        throw new SettingException(settings.describe(RENEW_AT) + ": '" + text
                + "' is not a fraction of the lifetime from 0.1 to 0.9 (write 0.67, 67% or 2/3)");
    }
}
