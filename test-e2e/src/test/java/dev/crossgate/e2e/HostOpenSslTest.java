package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP data plane with {@code crossgate.tls.library=openssl}: the host's OpenSSL through netty-tcnative's
 * dynamically linked build, which the gateway's build unpacks; {@code LD_LIBRARY_PATH} names an OpenSSL 3.6 from
 * tools/openssl/build.sh, since the host's own may be older than the 3.2 that build links against.
 */
class HostOpenSslTest extends NativeTlsDataPlaneTest {

    private static final Path NATIVE = Path.of("../gateway/target/native-openssl").toAbsolutePath().normalize();
    private static Path openSslLibraries;

    @BeforeAll
    static void buildOpenSsl() throws Exception {
        openSslLibraries = built("tools/openssl/build.sh");
        assertThat(openSslLibraries.resolve("libssl.so.3")).exists();
        assertThat(NATIVE.resolve(TCNATIVE)).as("unpacked by the gateway's build").exists();
    }

    @Override
    String library() {
        return "openssl";
    }

    @Override
    Path libraryDirectory() {
        return NATIVE;
    }

    @Override
    String servedBy() {
        return "OpenSSL 3.6";
    }

    @Override
    Map<String, String> environment(int backendPort) {
        Map<String, String> env = super.environment(backendPort);
        env.put("LD_LIBRARY_PATH", openSslLibraries.toString());
        return env;
    }

    @Test
    void whereTheLoaderFindsOnlyAnOpenSslOlderThan32TheStartStopsAndSaysWhatIsMissing() throws Exception {
        String hostOpenSsl = Processes.run(dir, "openssl", "version").output();
        assumeThat(hostOpenSsl).as("this host's own OpenSSL is new enough to load").containsPattern("OpenSSL 3\\.[01]\\.");
        Map<String, String> env = environment(1);
        env.remove("LD_LIBRARY_PATH");
        assertThat(refusedAtStart(env)).contains("crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is openssl:")
                .contains("version `OPENSSL_3.2.0' not found").contains("OpenSSL 3.2 or newer");
    }
}
