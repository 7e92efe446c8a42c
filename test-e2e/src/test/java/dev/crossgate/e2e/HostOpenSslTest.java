package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.crossgate.gateway.Crossgate;

/**
 * Every test of the HTTP data plane again (mutual TLS on both hops, HTTP/2, rotation, each refused handshake counted
 * under its reason), with {@code crossgate.tls.library=openssl}: TLS by the host's OpenSSL instead of the bundled
 * BoringSSL, set up as a user does it. {@code JAVA_TOOL_OPTIONS} names the directory the build unpacks netty-tcnative's
 * OpenSSL build to; {@code LD_LIBRARY_PATH} an OpenSSL 3.6 from tools/openssl/build.sh, since the host's own may be
 * older than the 3.2 that build links against.
 */
class HostOpenSslTest extends HttpDataPlaneTest {

    private static final Path NATIVE = Path.of("../gateway/target/native-openssl").toAbsolutePath().normalize();
    private static Path openSslLibraries;

    @BeforeAll
    static void buildOpenSsl() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Processes.Result build = Processes.run(root, Duration.ofMinutes(20), List.of("bash", "tools/openssl/build.sh"));
        assertThat(build.exitCode()).as(build.output()).isZero();
        List<String> lines = build.output().lines().toList();
        openSslLibraries = Path.of(lines.get(lines.size() - 1));
        assertThat(openSslLibraries.resolve("libssl.so.3")).exists();
        assertThat(NATIVE.resolve("libnetty_tcnative_linux_x86_64.so")).as("unpacked by the gateway's build").exists();
    }

    @Override
    Map<String, String> environment(int backendPort) {
        Map<String, String> env = super.environment(backendPort);
        env.put("CROSSGATE_TLS_LIBRARY", "openssl");
        env.put("JAVA_TOOL_OPTIONS", "-Djava.library.path=" + NATIVE);
        env.put("LD_LIBRARY_PATH", openSslLibraries.toString());
        return env;
    }

    /** Proves each inherited test ran on OpenSSL: a silent fallback to BoringSSL would pass them all. */
    @AfterEach
    void servedByTheHostsOpenSsl() throws Exception {
        if (gateway != null) {
            assertThat(gateway.logLines("TLS by ")).singleElement().asString().contains("TLS by OpenSSL 3.6");
        }
    }

    /** Not a case here: the JDK provider is what serves when no native library loads, and openssl refuses to fall back. */
    @Override
    void jdkProviderFallbackServesMutualTlsAndNamesFailures() {
    }

    @Test
    void whereTheLoaderFindsOnlyAnOpenSslOlderThan32TheStartStopsAndSaysWhatIsMissing() throws Exception {
        String hostOpenSsl = Processes.run(dir, "openssl", "version").output();
        assumeThat(hostOpenSsl).as("this host's own OpenSSL is new enough to load").containsPattern("OpenSSL 3\\.[01]\\.");
        Map<String, String> env = environment(1);
        env.remove("LD_LIBRARY_PATH");
        GatewayProcess refused = GatewayProcess.start(dir, env);
        try {
            assertThat(refused.process.waitFor(30, TimeUnit.SECONDS)).as("exits at start").isTrue();
            assertThat(refused.process.exitValue()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
            assertThat(refused.log()).contains("crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is openssl:")
                    .contains("version `OPENSSL_3.2.0' not found").contains("OpenSSL 3.2 or newer");
            assertThat(refused.logLines("TLS by ")).as("no library served").isEmpty();
        } finally {
            refused.close();
        }
    }
}
