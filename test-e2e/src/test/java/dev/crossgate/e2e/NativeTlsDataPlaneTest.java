package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;

import dev.crossgate.gateway.Crossgate;

/**
 * Every test of the HTTP data plane again (mutual TLS on both hops, HTTP/2, rotation, each refused handshake counted
 * under its reason) on a netty-tcnative build other than the bundled BoringSSL, set up as a user does it:
 * {@code crossgate.tls.library} names it and {@code JAVA_TOOL_OPTIONS} puts its directory on java.library.path.
 */
abstract class NativeTlsDataPlaneTest extends HttpDataPlaneTest {

    static final String TCNATIVE = "libnetty_tcnative_linux_x86_64.so";

    /** The value of crossgate.tls.library. */
    abstract String library();

    /** The directory holding {@link #TCNATIVE} for {@link #library()}. */
    abstract Path libraryDirectory();

    /** What the start log says after "TLS by " when {@link #library()} serves. */
    abstract String servedBy();

    /** Runs one of tools/&lt;name&gt;/build.sh (each builds once into ~/.cache/crossgate) and returns the directory it prints. */
    static Path built(String script) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Processes.Result build = Processes.run(root, Duration.ofMinutes(20), List.of("bash", script));
        assertThat(build.exitCode()).as(build.output()).isZero();
        List<String> lines = build.output().lines().toList();
        return Path.of(lines.get(lines.size() - 1));
    }

    /** Starts a gateway that must refuse to start for its TLS library; returns its log, for the reason. */
    String refusedAtStart(Map<String, String> env) throws Exception {
        GatewayProcess refused = GatewayProcess.start(dir, env);
        try {
            assertThat(refused.process.waitFor(30, TimeUnit.SECONDS)).as("exits at start").isTrue();
            assertThat(refused.process.exitValue()).isEqualTo(Crossgate.EXIT_CONFIGURATION);
            assertThat(refused.logLines("TLS by ")).as("no library served").isEmpty();
            return refused.log();
        } finally {
            refused.close();
        }
    }

    @Override
    Map<String, String> environment(int backendPort) {
        Map<String, String> env = super.environment(backendPort);
        env.put("CROSSGATE_TLS_LIBRARY", library());
        env.put("JAVA_TOOL_OPTIONS", "-Djava.library.path=" + libraryDirectory());
        return env;
    }

    /** Proves each inherited test ran on the library asked for: a silent fallback to BoringSSL would pass them all. */
    @AfterEach
    void servedByTheLibraryAskedFor() throws Exception {
        if (gateway != null) {
            assertThat(gateway.logLines("TLS by ")).singleElement().asString().contains("TLS by " + servedBy());
        }
    }

    /** Not a case here: the JDK provider is what serves when no native library loads, and these refuse to fall back. */
    @Override
    void jdkProviderFallbackServesMutualTlsAndNamesFailures() {
    }
}
