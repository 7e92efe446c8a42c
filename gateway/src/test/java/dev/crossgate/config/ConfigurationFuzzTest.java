package dev.crossgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.crossgate.certs.CertificateSources;
import dev.crossgate.certsource.CertificateSourceProvider;

/**
 * Configuration arrives as environment variables an operator typed. Any names and values end in a configuration or a
 * {@link ConfigException} whose every problem names the setting, never in another exception. Names are drawn mostly
 * from real settings, so the values get exercised, not only the unknown-name path.
 */
class ConfigurationFuzzTest {

    private static final List<CertificateSourceProvider> PROVIDERS = CertificateSources.providers();
    private static final ConfigSchema SCHEMA = CrossgateConfiguration.schema(PROVIDERS);
    private static final String[] NAMES = {
        "CROSSGATE_LISTENERS_EDGE_PORT", "CROSSGATE_LISTENERS_EDGE_PROTOCOL", "CROSSGATE_LISTENERS_EDGE_CONNECTOR",
        "CROSSGATE_LISTENERS_EDGE_TLS_MODE", "CROSSGATE_LISTENERS_EDGE_TLS_CERTS", "CROSSGATE_LISTENERS_EDGE_SNI_ROUTES",
        "CROSSGATE_LISTENERS_EDGE_MAX_CONNECTIONS", "CROSSGATE_LISTENERS_EDGE_HTTP_MAX_HEADER_SIZE", "CROSSGATE_LISTENERS_EDGE_HTTP_HEADER_TIMEOUT",
        "CROSSGATE_LISTENERS_EDGE_STORE_AND_FORWARD_MODE", "CROSSGATE_LISTENERS_EDGE_STORE_AND_FORWARD_MAX_BYTES",
        "CROSSGATE_LISTENERS_EDGE_TLS_ALLOWED_SANS", "CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "CROSSGATE_CONNECTORS_BACKEND_TLS_MODE",
        "CROSSGATE_CONNECTORS_BACKEND_CONNECT_TIMEOUT", "CROSSGATE_CERTS_EDGE_SOURCE", "CROSSGATE_CERTS_EDGE_CERT_PATH",
        "CROSSGATE_CERTS_EDGE_READINESS_MARGIN", "CROSSGATE_CERTS_PCA_CA_ARN", "CROSSGATE_CERTS_PCA_VALIDITY",
        "CROSSGATE_TLS_PROTOCOLS", "CROSSGATE_TLS_GROUPS", "CROSSGATE_TLS_SESSION_TICKETS", "CROSSGATE_ADMIN_PORT", "CROSSGATE_IO_THREADS",
        "CROSSGATE_IO_BUSY_POLL"};

    @FuzzTest(maxDuration = "15s")
    void environment(FuzzedDataProvider data) {
        Map<String, String> environment = new HashMap<>();
        int count = data.consumeInt(0, 12);
        for (int i = 0; i < count; i++) {
            String name = data.consumeBoolean() ? data.pickValue(NAMES) : "CROSSGATE_" + data.consumeAsciiString(24);
            if (!name.equals("CROSSGATE_CONFIG_FILE")) { // a path to read, not a setting
                environment.put(name, data.consumeString(48));
            }
        }
        try {
            Map<String, String> properties = new ConfigurationLoader(SCHEMA).load(environment, Map.of());
            CrossgateConfiguration configuration = CrossgateConfiguration.from(properties, PROVIDERS);
            assertThat(configuration.listeners()).allSatisfy(listener -> assertThat(listener.port()).isBetween(0, 65535));
        } catch (ConfigException refused) {
            assertThat(refused.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem).containsIgnoringCase("crossgate"));
        }
    }
}
