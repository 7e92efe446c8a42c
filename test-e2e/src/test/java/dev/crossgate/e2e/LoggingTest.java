package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.TestPki;

/**
 * The jar's own log (admin/ConsoleLog, found by SLF4J in the shaded jar): one line per event on standard output, at the
 * levels {@code CROSSGATE_LOG_LEVEL} sets per logger, and an entry that is not a level explained on standard error.
 */
class LoggingTest extends GatewayTest {

    @Test
    void crossgateLogLevelSetsTheRootAndLoggerLevelsAndExplainsABadEntry() throws Exception {
        TestPki pki = TestPki.create("log-ca");
        CertificateIssuer.Issued served = pki.server("localhost");
        pki.writeFiles(served, dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        Map<String, String> env = new HashMap<>();
        GatewayEnv.fileSource(env, "edge", dir.resolve("tls.crt"), dir.resolve("tls.key"), null);
        GatewayEnv.tlsListener(env, "edge", Processes.freePort(), "http", "edge", "backend");
        env.put("CROSSGATE_CONNECTORS_BACKEND_ADDRESS", "127.0.0.1:" + Processes.freePort());
        env.put("CROSSGATE_CONNECTORS_BACKEND_TLS_MODE", "off");
        env.put("CROSSGATE_LOG_LEVEL", "warn, dev.crossgate.gateway=info, loud");
        gateway = GatewayProcess.start(dir, env).awaitReady();

        String log = gateway.log();
        assertThat(log).contains("CROSSGATE_LOG_LEVEL: 'loud' is not a level or logger=level");
        assertThat(gateway.logLines(" INFO  Gateway listener edge on ")).as(log).singleElement().asString()
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  Gateway listener edge on .*");
        assertThat(log).as("INFO of a logger outside dev.crossgate.gateway (the source's 'loaded' line) stays out")
                .doesNotContain(" INFO  MaterialStream").doesNotContain("SLF4J");
    }
}
