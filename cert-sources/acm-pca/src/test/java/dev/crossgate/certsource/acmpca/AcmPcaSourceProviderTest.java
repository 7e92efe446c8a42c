package dev.crossgate.certsource.acmpca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.tls.KeyType;
import dev.crossgate.tls.SubjectAltName;

/** The settings of an ACM Private CA source: defaults users can rely on, and errors that say what to fix. */
class AcmPcaSourceProviderTest {

    private static final String ARN = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555";

    @Test
    void defaultsFollowTheCaArn() throws Exception {
        AcmPcaSourceSpec spec = spec(Map.of("dns-names", "gw.internal, gw.example.org"));

        assertThat(spec.region()).as("the CA's own region").isEqualTo("eu-west-1");
        assertThat(spec.endpoint()).isEmpty();
        assertThat(spec.templateArn()).isEqualTo("arn:aws:acm-pca:::template/EndEntityCertificate/V1");
        assertThat(spec.commonName()).as("the first DNS name").isEqualTo("gw.internal");
        assertThat(spec.subjectAltNames()).containsExactly(SubjectAltName.dns("gw.internal"), SubjectAltName.dns("gw.example.org"));
        assertThat(spec.keyType()).isEqualTo(KeyType.EC_P256);
        assertThat(spec.validity()).isEqualTo(Duration.ofDays(30));
        assertThat(spec.renewAt()).isEqualTo(2.0 / 3.0);
        assertThat(spec.renewEvery()).isEmpty();
        assertThat(spec.retryInitialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(spec.retryMaxDelay()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void everySettingIsRead() throws Exception {
        AcmPcaSourceSpec spec = spec(Map.of("ca-arn", "arn:aws-cn:acm-pca:cn-north-1:123456789012:certificate-authority/abc",
                "region", "CN-NORTH-1", "endpoint", "https://vpce-0123.acm-pca.cn-north-1.vpce.amazonaws.com.cn",
                "common-name", "gateway-b", "uri-names", "spiffe://example.org/ns/b/sa/gateway", "ip-addresses", "10.0.0.7",
                "key-algorithm", "RSA-3072", "validity", "7d", "renew-at", "75%", "renew-every", "1h"));

        assertThat(spec.region()).isEqualTo("cn-north-1");
        assertThat(spec.endpoint()).contains(URI.create("https://vpce-0123.acm-pca.cn-north-1.vpce.amazonaws.com.cn"));
        assertThat(spec(Map.of("dns-names", "gw", "endpoint", "https://acm-pca-fips.eu-west-1.amazonaws.com")).endpoint()).isPresent();
        assertThat(spec.templateArn()).as("the partition's template").isEqualTo("arn:aws-cn:acm-pca:::template/EndEntityCertificate/V1");
        assertThat(spec.commonName()).isEqualTo("gateway-b");
        assertThat(spec.subjectAltNames()).containsExactly(SubjectAltName.uri("spiffe://example.org/ns/b/sa/gateway"), SubjectAltName.ip("10.0.0.7"));
        assertThat(spec.keyType()).isEqualTo(KeyType.RSA_3072);
        assertThat(spec.validity()).isEqualTo(Duration.ofDays(7));
        assertThat(spec.renewAt()).isEqualTo(0.75);
        assertThat(spec.renewEvery()).isEqualTo(Optional.of(Duration.ofHours(1)));
    }

    @ParameterizedTest
    @CsvSource({"2/3, 0.6667", "0.5, 0.5", "80%, 0.8"})
    void renewAtIsAFractionWrittenAnyOfThreeWays(String written, double fraction) throws Exception {
        assertThat(spec(Map.of("dns-names", "gw", "renew-at", written)).renewAt()).isCloseTo(fraction, org.assertj.core.data.Offset.offset(0.001));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ca-arn|arn:aws:acm:eu-west-1:123456789012:certificate/abc|CROSSGATE_CERTS_PCA_CA_ARN): 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' is not the ARN of a private CA",
            "region|us-east-1|the CA in crossgate.certs.pca.ca-arn (CROSSGATE_CERTS_PCA_CA_ARN) lives in eu-west-1",
            "endpoint|acm-pca.eu-west-1.amazonaws.com|crossgate.certs.pca.endpoint (CROSSGATE_CERTS_PCA_ENDPOINT): 'acm-pca.eu-west-1.amazonaws.com' is not an http(s) URL",
"endpoint|https://acm-pca.us-east-1.amazonaws.com|is an endpoint of us-east-1 but the CA in crossgate.certs.pca.ca-arn (CROSSGATE_CERTS_PCA_CA_ARN) lives in eu-west-1",
            "endpoint|https://vpce-0a1b.acm-pca.us-west-2.vpce.amazonaws.com|is an endpoint of us-west-2",
                        "key-algorithm|ed25519|'ed25519' is not a key ACM Private CA signs; use one of [ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096]",
            "key-algorithm|dsa|'dsa' is not a key ACM Private CA signs",
            "renew-at|1.5|'1.5' is not a fraction of the lifetime from 0.1 to 0.9",
            "renew-at|soon|'soon' is not a fraction of the lifetime",
            "validity|10m|crossgate.certs.pca.validity (CROSSGATE_CERTS_PCA_VALIDITY) is PT10M; ask for at least 1h",
            "renew-every|0s|crossgate.certs.pca.renew-every (CROSSGATE_CERTS_PCA_RENEW_EVERY) must be at least 1s",
            "retry-max-delay|100ms|must be above zero and at most crossgate.certs.pca.retry-max-delay",
            "uri-names|not a uri|'not a uri' is not a URI",
            "ip-addresses|ten.0.0.1|'ten.0.0.1' is not an IPv4 or IPv6 address",
            "template-arn|EndEntityCertificate/V1|'EndEntityCertificate/V1' is not a certificate template ARN"})
    void aWrongSettingIsNamedWithItsEnvironmentVariable(String key, String value, String message) {
        Map<String, String> settings = new HashMap<>(Map.of("dns-names", "gw.internal"));
        settings.put(key, value);
        assertThatThrownBy(() -> spec(settings)).isInstanceOf(SettingException.class).hasMessageContaining(message);
    }

    @Test
    void aCertificateNeedsAName() {
        assertThatThrownBy(() -> spec(Map.of("uri-names", "spiffe://example.org/gw")))
                .hasMessageContaining("needs crossgate.certs.pca.common-name (CROSSGATE_CERTS_PCA_COMMON_NAME) or at least one name in "
                        + "crossgate.certs.pca.dns-names");
        assertThatThrownBy(() -> spec(Map.of("ca-arn", "", "dns-names", "gw")))
                .hasMessageContaining("crossgate.certs.pca.ca-arn (CROSSGATE_CERTS_PCA_CA_ARN) is not set");
    }

    @Test
    void offersEveryKeyItReads() {
        assertThat(new AcmPcaSourceProvider().settingKeys()).contains("ca-arn", "region", "endpoint", "common-name", "dns-names", "uri-names",
                "key-algorithm", "template-arn", "validity", "renew-at");
        assertThat(new AcmPcaSourceProvider().type()).isEqualTo("acm-pca");
    }

    private static AcmPcaSourceSpec spec(Map<String, String> settings) throws SettingException {
        Map<String, String> all = new HashMap<>(Map.of("source", "acm-pca", "ca-arn", ARN));
        all.putAll(settings);
        return AcmPcaSourceProvider.spec(new SourceSettings("pca", all, Clock.systemUTC()));
    }
}
