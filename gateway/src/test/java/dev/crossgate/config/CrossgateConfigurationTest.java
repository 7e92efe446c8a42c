package dev.crossgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.crossgate.certs.CertificateSources;

class CrossgateConfigurationTest {

    private static CrossgateConfiguration from(Map<String, String> properties) throws ConfigException {
        return CrossgateConfiguration.from(properties, CertificateSources.providers());
    }

    private static Map<String, String> minimal() {
        Map<String, String> p = new HashMap<>();
        p.put("crossgate.certs.edge.source", "file");
        p.put("crossgate.certs.edge.cert-path", "/x.crt");
        p.put("crossgate.certs.edge.key-path", "/x.key");
        p.put("crossgate.listeners.web.port", "8443");
        p.put("crossgate.listeners.web.connector", "app");
        p.put("crossgate.listeners.web.tls.certs", "edge");
        p.put("crossgate.connectors.app.address", "127.0.0.1:8080");
        p.put("crossgate.connectors.app.tls.mode", "off");
        return p;
    }

    @Test
    void typesAMinimalConfigurationWithItsDefaults() throws Exception {
        CrossgateConfiguration configuration = from(minimal());
        ListenerConfig web = configuration.listeners().get(0);
        assertThat(web.protocol()).isEqualTo(ListenerConfig.Protocol.HTTP);
        assertThat(web.tls().mode()).isEqualTo(ListenerConfig.TlsMode.TERMINATE);
        assertThat(web.tls().clientAuth()).isEqualTo(ListenerConfig.ClientAuth.NONE);
        assertThat(web.host()).isEqualTo("0.0.0.0");
        ConnectorConfig app = configuration.connectors().get(0);
        assertThat(app.host()).isEqualTo("127.0.0.1");
        assertThat(app.port()).isEqualTo(8080);
        assertThat(app.tls().originate()).isFalse();
        assertThat(configuration.admin().port()).isEqualTo(9901);
        assertThat(configuration.tls().maxConnectionAgeAfterRotation()).isEqualTo(Duration.ofMinutes(5));
        assertThat(configuration.io()).isEqualTo(new IoConfig(Runtime.getRuntime().availableProcessors(), IoConfig.BusyPoll.AUTO));
    }

    @Test
    void ioThreadsAreAWholeNumberOfAtLeastOne() throws Exception {
        Map<String, String> p = minimal();
        p.put("crossgate.io.threads", "3");
        assertThat(from(p).io().threads()).isEqualTo(3);
        assertProblem("crossgate.io.threads", "0", "crossgate.io.threads (CROSSGATE_IO_THREADS): '0' is not a whole number from 1 to 1024");
        assertProblem("crossgate.io.threads", "two", "'two' is not a whole number from 1 to 1024");
    }

    @Test
    void busyPollIsAdaptiveUnlessOffOrAFixedWindowOfAtMostAMillisecond() throws Exception {
        Map<String, String> p = minimal();
        assertThat(from(p).io().busyPoll()).isEqualTo(new IoConfig.BusyPoll(Duration.ofNanos(200_000), true));
        p.put("crossgate.io.busy-poll", "AUTO");
        assertThat(from(p).io().busyPoll()).isEqualTo(IoConfig.BusyPoll.AUTO);
        p.put("crossgate.io.busy-poll", "off");
        assertThat(from(p).io().busyPoll().off()).isTrue();
        p.put("crossgate.io.busy-poll", "0");
        assertThat(from(p).io().busyPoll()).isEqualTo(IoConfig.BusyPoll.OFF);
        p.put("crossgate.io.busy-poll", "50us");
        assertThat(from(p).io().busyPoll()).isEqualTo(new IoConfig.BusyPoll(Duration.ofNanos(50_000), false));
        p.put("crossgate.io.busy-poll", "1ms");
        assertThat(from(p).io().busyPoll()).isEqualTo(new IoConfig.BusyPoll(Duration.ofMillis(1), false));
        assertProblem("crossgate.io.busy-poll", "2ms", "crossgate.io.busy-poll (CROSSGATE_IO_BUSY_POLL): '2ms' is not auto, off or a duration up to 1ms (50us, say)");
        assertProblem("crossgate.io.busy-poll", "fast", "crossgate.io.busy-poll (CROSSGATE_IO_BUSY_POLL): 'fast' is not auto, off or a duration up to 1ms");
    }

    @Test
    void ipv6ConnectorAddressesAndServerNameDefault() throws Exception {
        Map<String, String> p = minimal();
        p.put("crossgate.connectors.app.address", "[::1]:8443");
        p.put("crossgate.connectors.app.tls.mode", "originate");
        p.put("crossgate.connectors.app.tls.trust", "edge");
        ConnectorConfig app = from(p).connectors().get(0);
        assertThat(app.host()).isEqualTo("::1");
        assertThat(app.tls().serverName()).isEqualTo("::1");
    }

    @Test
    void everyCrossReferenceProblemIsReportedTogether() {
        Map<String, String> p = minimal();
        p.put("crossgate.listeners.web.connector", "billing");
        p.put("crossgate.listeners.api.port", "9901");
        p.put("crossgate.listeners.api.connector", "app");
        p.put("crossgate.listeners.api.tls.certs", "vault");
        p.put("crossgate.listeners.dup.port", "8443");
        p.put("crossgate.listeners.dup.connector", "app");
        p.put("crossgate.listeners.dup.tls.mode", "off");
        assertThatThrownBy(() -> from(p)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                "crossgate.listeners.web.connector (CROSSGATE_LISTENERS_WEB_CONNECTOR): no connector named 'billing' (configured: app)",
                "crossgate.listeners.api.tls.certs (CROSSGATE_LISTENERS_API_TLS_CERTS): no certificate source named 'vault' (configured: edge)",
                "crossgate.listeners.api.port (CROSSGATE_LISTENERS_API_PORT): port 9901 is also used by crossgate.admin.port (CROSSGATE_ADMIN_PORT)",
                "crossgate.listeners.web.port (CROSSGATE_LISTENERS_WEB_PORT): port 8443 is also used by crossgate.listeners.dup.port (CROSSGATE_LISTENERS_DUP_PORT)")
                .hasSize(4));
    }

    @Test
    void badValuesNameTheirVariable() {
        assertProblem("crossgate.listeners.web.port", "70000", "crossgate.listeners.web.port (CROSSGATE_LISTENERS_WEB_PORT): '70000' is not a port (0-65535)");
        assertProblem("crossgate.listeners.web.tls.client-auth", "always",
                "crossgate.listeners.web.tls.client-auth (CROSSGATE_LISTENERS_WEB_TLS_CLIENT_AUTH): 'always' is not one of none, optional, require");
        assertProblem("crossgate.connectors.app.address", "localhost", "crossgate.connectors.app.address (CROSSGATE_CONNECTORS_APP_ADDRESS): 'localhost' is not host:port");
        assertProblem("crossgate.tls.max-connection-age-after-rotation", "soon",
                "crossgate.tls.max-connection-age-after-rotation (CROSSGATE_TLS_MAX_CONNECTION_AGE_AFTER_ROTATION): 'soon' is not a duration");
        assertProblem("crossgate.listeners.web.tls.certs", "", "crossgate.listeners.web.tls.certs (CROSSGATE_LISTENERS_WEB_TLS_CERTS) is not set; "
                + "tls.mode=terminate needs a server certificate source");
    }

    @Test
    void originateWithoutTrustAndPlaintextWithTlsSettingsAreRefused() {
        Map<String, String> p = minimal();
        p.put("crossgate.connectors.app.tls.mode", "originate");
        assertThatThrownBy(() -> from(p)).hasMessageContaining("crossgate.connectors.app.tls.trust (CROSSGATE_CONNECTORS_APP_TLS_TRUST) is not set");
        Map<String, String> q = minimal();
        q.put("crossgate.listeners.web.tls.mode", "off");
        assertThatThrownBy(() -> from(q)).hasMessageContaining(
                "crossgate.listeners.web.tls.certs (CROSSGATE_LISTENERS_WEB_TLS_CERTS) is set but tls.mode is off");
    }

    @Test
    void passthroughRoutesBySniOnlyOverTcp() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("crossgate.listeners.sni.port", "443");
        p.put("crossgate.listeners.sni.protocol", "tcp");
        p.put("crossgate.listeners.sni.tls.mode", "passthrough");
        p.put("crossgate.listeners.sni.sni-routes", "A.example=a, *.b.example=b");
        p.put("crossgate.connectors.a.address", "127.0.0.1:1");
        p.put("crossgate.connectors.a.tls.mode", "off");
        p.put("crossgate.connectors.b.address", "127.0.0.1:2");
        p.put("crossgate.connectors.b.tls.mode", "off");
        assertThat(from(p).listeners().get(0).sniRoutes()).containsExactlyInAnyOrderEntriesOf(Map.of("a.example", "a", "*.b.example", "b"));
        p.put("crossgate.listeners.sni.protocol", "http");
        assertThatThrownBy(() -> from(p)).hasMessageContaining("must be tcp with tls.mode=passthrough");
        p.put("crossgate.listeners.sni.protocol", "tcp");
        p.put("crossgate.listeners.sni.sni-routes", "a.example");
        assertThatThrownBy(() -> from(p)).hasMessageContaining("'a.example' is not host=connector");
    }

    private static void assertProblem(String property, String value, String message) {
        Map<String, String> p = minimal();
        p.put(property, value);
        assertThatThrownBy(() -> from(p)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}
