package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP data plane with {@code crossgate.tls.library=aws-lc}: netty-tcnative linked against AWS-LC by
 * tools/aws-lc/build.sh, from the netty-tcnative sources the gateway's build unpacks.
 */
class AwsLcTest extends NativeTlsDataPlaneTest {

    private static Path awsLc;

    @BeforeAll
    static void buildAwsLc() throws Exception {
        awsLc = built("tools/aws-lc/build.sh");
        assertThat(awsLc.resolve(TCNATIVE)).exists();
    }

    @Override
    String library() {
        return "aws-lc";
    }

    @Override
    Path libraryDirectory() {
        return awsLc;
    }

    @Override
    String servedBy() {
        return "AWS-LC 5.";
    }

    /** The check that catches a java.library.path pointing at the wrong build, which would otherwise serve unnoticed. */
    @Test
    void askingForOpenSslWhereTheLibraryPathHoldsAwsLcStopsTheStartNamingBoth() throws Exception {
        Map<String, String> env = environment(1);
        env.put("CROSSGATE_TLS_LIBRARY", "openssl");
        assertThat(refusedAtStart(env)).contains("crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is openssl: the " + TCNATIVE
                + " on java.library.path is AWS-LC 5.").contains("where OpenSSL was asked for");
    }
}
