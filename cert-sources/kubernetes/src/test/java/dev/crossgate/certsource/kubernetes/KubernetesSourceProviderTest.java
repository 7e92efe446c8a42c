package dev.crossgate.certsource.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;

class KubernetesSourceProviderTest {

    @Test
    void theNamespaceDefaultsToThePodsOrTheKubeconfigContexts() throws Exception {
        assertThat(spec(Map.of("secret-name", "edge-tls"), "crossgate")).isEqualTo(new SecretRef("edge", "crossgate", "edge-tls"));
        assertThat(spec(Map.of("secret-name", "edge-tls", "namespace", "skupper"), "crossgate").namespace()).isEqualTo("skupper");
    }

    @Test
    void withoutANamespaceAnywhereItSaysWhichSettingToSet() {
        assertThatThrownBy(() -> spec(Map.of("secret-name", "edge-tls"), null))
                .hasMessageContaining("needs crossgate.certs.edge.namespace (CROSSGATE_CERTS_EDGE_NAMESPACE)");
        assertThatThrownBy(() -> spec(Map.of(), "crossgate"))
                .hasMessageContaining("crossgate.certs.edge.secret-name (CROSSGATE_CERTS_EDGE_SECRET_NAME) is not set");
    }

    @ParameterizedTest
    @CsvSource({"secret-name, Edge_TLS", "namespace, -crossgate", "secret-name, edge-tls-"})
    void namesMustBeKubernetesObjectNames(String key, String value) {
        Map<String, String> settings = new HashMap<>(Map.of("secret-name", "edge-tls", "namespace", "crossgate"));
        settings.put(key, value);
        assertThatThrownBy(() -> spec(settings, null)).isInstanceOf(SettingException.class)
                .hasMessageContaining("crossgate.certs.edge." + key + " (CROSSGATE_CERTS_EDGE_" + key.toUpperCase().replace('-', '_') + "): '" + value
                        + "' is not a Kubernetes object name");
    }

    private static SecretRef spec(Map<String, String> values, String defaultNamespace) throws SettingException {
        Map<String, String> all = new HashMap<>(values);
        all.put("source", "kubernetes");
        return KubernetesSourceProvider.spec(new SourceSettings("edge", all, Clock.systemUTC()), defaultNamespace);
    }
}
