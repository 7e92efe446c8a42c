package dev.crossgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.certs.CertificateSources;

class ConfigurationLoaderTest {

    private final ConfigurationLoader loader = new ConfigurationLoader(CrossgateConfiguration.schema(CertificateSources.providers()));

    @Test
    void mapsEnvironmentVariablesToPropertiesWithHyphenatedNames() throws Exception {
        Map<String, String> properties = loader.load(Map.of(
                "CROSSGATE_CERTS_EDGE_SOURCE", "file",
                "CROSSGATE_CERTS_EDGE_CERT_PATH", "/tls/tls.crt",
                "CROSSGATE_CERTS_REGION_A_CA_PATH", "/tls/ca.crt",
                "CROSSGATE_CERTS_REGION_A_EXPIRY_WARNING", "30d",
                "CROSSGATE_LOG_LEVEL", "DEBUG", "PATH", "/usr/bin", "JAVA_HOME", "/opt/java"), Map.of());
        assertThat(properties).containsExactlyInAnyOrderEntriesOf(Map.of(
                "crossgate.certs.edge.source", "file",
                "crossgate.certs.edge.cert-path", "/tls/tls.crt",
                "crossgate.certs.region-a.ca-path", "/tls/ca.crt",
                "crossgate.certs.region-a.expiry-warning", "30d"));
    }

    @Test
    void misspelledVariablesAreRefusedWithASuggestion() {
        assertThatThrownBy(() -> loader.load(Map.of(
                "CROSSGATE_CERTS_EDGE_SOURCE", "file",
                "CROSSGATE_CERTS_EDGE_CERT_PTH", "/tls/tls.crt",
                "CROSSGATE_CERT_EDGE_KEY_PATH", "/tls/tls.key",
                "CROSSGATE_WHATEVER", "1"), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "unknown setting CROSSGATE_CERTS_EDGE_CERT_PTH (environment variable); did you mean CROSSGATE_CERTS_EDGE_CERT_PATH?",
                        "unknown setting CROSSGATE_CERT_EDGE_KEY_PATH (environment variable); did you mean CROSSGATE_CERTS_EDGE_KEY_PATH?",
                        "unknown setting CROSSGATE_WHATEVER (environment variable); see the configuration table in the README"));
    }

    @Test
    void readsYamlNamedByCrossgateConfigAndLetsEnvironmentAndSystemPropertiesWin(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("crossgate.yaml");
        Files.writeString(yaml, """
                crossgate:
                  certs:
                    edge:
                      source: file
                      cert-path: /from/yaml.crt
                      key-path: /from/yaml.key
                    trust:
                      source: file
                      ca-path: /from/yaml-ca.crt
                """);
        Map<String, String> properties = loader.load(Map.of("CROSSGATE_CONFIG", yaml.toString(),
                        "CROSSGATE_CERTS_EDGE_CERT_PATH", "/from/env.crt", "CROSSGATE_CERTS_EDGE_KEY_PATH", "/from/env.key"),
                Map.of("crossgate.certs.edge.key-path", "/from/sysprop.key", "java.version", "17"));
        assertThat(properties).containsEntry("crossgate.certs.edge.cert-path", "/from/env.crt")
                .containsEntry("crossgate.certs.edge.key-path", "/from/sysprop.key")
                .containsEntry("crossgate.certs.trust.ca-path", "/from/yaml-ca.crt")
                .containsEntry("crossgate.certs.edge.source", "file");
    }

    @Test
    void yamlProblemsNameTheFileAndKey(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "crossgate:\n  certs:\n    edge:\n      cert-pat: /x\n");
        assertThatThrownBy(() -> loader.load(Map.of("CROSSGATE_CONFIG", yaml.toString()), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown setting crossgate.certs.edge.cert-pat (in " + yaml + "); did you mean crossgate.certs.edge.cert-path?");
        Files.writeString(yaml, "crossgate: [unclosed\n");
        assertThatThrownBy(() -> loader.load(Map.of("CROSSGATE_CONFIG", yaml.toString()), Map.of()))
                .hasMessageContaining("CROSSGATE_CONFIG: " + yaml + " is not valid YAML");
        assertThatThrownBy(() -> loader.load(Map.of("CROSSGATE_CONFIG", dir.resolve("missing.yaml").toString()), Map.of()))
                .hasMessage("CROSSGATE_CONFIG: " + dir.resolve("missing.yaml") + " does not exist");
    }

    @Test
    void sourceTypeMustBeKnownAndKeysMustFitIt() {
        var providers = CertificateSources.providers();
        assertThatThrownBy(() -> CrossgateConfiguration.from(Map.of("crossgate.certs.edge.cert-path", "/x"), providers))
                .hasMessage("crossgate.certs.edge.source (CROSSGATE_CERTS_EDGE_SOURCE) is not set; use one of file, acm-pca, kubernetes");
        assertThatThrownBy(() -> CrossgateConfiguration.from(Map.of("crossgate.certs.edge.source", "vault"), providers))
                .hasMessage("crossgate.certs.edge.source (CROSSGATE_CERTS_EDGE_SOURCE) is 'vault'; use one of file, acm-pca, kubernetes");
        assertThatThrownBy(() -> CrossgateConfiguration.from(Map.of("crossgate.certs.pca.source", "acm-pca",
                "crossgate.certs.pca.cert-path", "/tls/tls.crt"), providers))
                .hasMessageContaining("crossgate.certs.pca.cert-path (CROSSGATE_CERTS_PCA_CERT_PATH) belongs to a file source, but source pca is of type acm-pca");
    }

    @Test
    void levenshteinDistance() {
        assertThat(ConfigSchema.levenshtein("CERT_PTH", "CERT_PATH")).isEqualTo(1);
        assertThat(ConfigSchema.levenshtein("", "abc")).isEqualTo(3);
        assertThat(ConfigSchema.levenshtein("kitten", "sitting")).isEqualTo(3);
    }
}
