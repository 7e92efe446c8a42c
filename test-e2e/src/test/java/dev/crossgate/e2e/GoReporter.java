package dev.crossgate.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SkyWalking Go agent's gRPC reporter as far as TLS goes ({@code src/test/go/swreporter}): the agent module is not on
 * the Go module proxy here, so this program builds its transport credentials the way the agent does, from the same
 * {@code SW_AGENT_REPORTER_GRPC_*} variables, with grpc-go and Go's TLS stack, and reports trace segments.
 */
final class GoReporter {

    private static final Path SOURCE = Path.of("src/test/go/swreporter").toAbsolutePath();
    private static final Path BINARY = Path.of("target/swreporter").toAbsolutePath();

    record Run(int exitCode, List<String> segmentIds, String output) {
    }

    private GoReporter() {
    }

    /** Reports {@code segments} trace segments as service {@code service} with the agent's {@code settings}. */
    static Run report(String service, int segments, Map<String, String> settings) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(build().toString()).redirectErrorStream(true);
        builder.environment().putAll(settings);
        builder.environment().putAll(Map.of("SW_AGENT_NAME", service, "SW_SEGMENTS", Integer.toString(segments)));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("swreporter did not finish in 60 s:\n" + output);
        }
        List<String> ids = output.lines().filter(line -> line.startsWith(service + ".segment.")).toList();
        return new Run(process.exitValue(), ids, output);
    }

    private static boolean built;

    /** Once per test run, so an edited reporter is never run stale; Go's build cache makes the repeat cheap. */
    private static synchronized Path build() throws IOException, InterruptedException {
        if (built) {
            return BINARY;
        }
        Process go = new ProcessBuilder("go", "build", "-o", BINARY.toString(), ".").directory(SOURCE.toFile()).redirectErrorStream(true).start();
        String output = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!go.waitFor(10, TimeUnit.MINUTES) || go.exitValue() != 0) {
            throw new IOException("go build of " + SOURCE + " failed:\n" + output);
        }
        built = true;
        return BINARY;
    }
}
