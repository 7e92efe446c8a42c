package dev.crossgate.certsource.acmpca;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.SubjectAltName;

/**
 * What one ACM Private CA source asks for: which CA, where to reach it, the identity to request, and when to
 * renew and retry. Checked by {@link AcmPcaSourceProvider}; immutable.
 *
 * @param endpoint     override for VPC endpoints and emulators; the SDK's regional endpoint when empty
 * @param renewAt      fraction of the lifetime after which to renew
 * @param renewEvery   renew at least this often, whatever the lifetime (short rotation policies, tests)
 * @param issueTimeout how long to wait for an issued certificate to become retrievable
 */
record AcmPcaSourceSpec(String name, CaArn caArn, String region, Optional<URI> endpoint, String commonName,
                        List<SubjectAltName> subjectAltNames, KeyType keyType, String templateArn, Duration validity,
                        double renewAt, Optional<Duration> renewEvery, Duration retryInitialDelay, Duration retryMaxDelay,
                        Duration issueTimeout) {

    static final String END_ENTITY_TEMPLATE = "EndEntityCertificate/V1";
    static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
    static final Duration MINIMUM_VALIDITY = Duration.ofHours(1);
    static final double DEFAULT_RENEW_AT = 2.0 / 3.0;
    static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(5);
    static final Duration DEFAULT_ISSUE_TIMEOUT = Duration.ofMinutes(2);

    AcmPcaSourceSpec {
        subjectAltNames = List.copyOf(subjectAltNames);
    }

    /** Where calls go, for messages: the override, or the region's public endpoint. */
    String describeEndpoint() {
        return endpoint.map(URI::toString).orElse("the ACM Private CA endpoint of " + region);
    }
}
