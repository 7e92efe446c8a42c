package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Runs {@code bench/run.sh --smoke}: every scenario against every peer for about a second each, so the harness cannot rot.
 * It asserts that every scenario produced figures for Crossgate and its peers and that nothing failed, never how fast.
 */
class BenchSmokeTest {

    private static final Pattern RECORD = Pattern.compile(
            "\"scenario\":\"(s\\d)\",\"case\":\"([^\"]*)\",\"proxy\":\"([^\"]*)\",\"round\":\\d+,\"metric\":\"([^\"]*)\",\"unit\":\"([^\"]*)\",\"higher_is_better\":\\w+,\"value\":([-0-9.e+]+)");

    private record Figure(String scenario, String caseName, String proxy, String metric, String unit, double value) {
    }

    @Test
    void everyScenarioMeasuresCrossgateAndItsPeersWithoutFailures() throws Exception {
        Path out = Path.of("target/bench-smoke").toAbsolutePath();
        Processes.Result run = Processes.run(Path.of(".."), Duration.ofMinutes(15), List.of("env",
                "BENCH_CROSSGATE_JAR=" + Processes.crossgateJar().toAbsolutePath(), "bash", "bench/run.sh", "--smoke", "--out", out.toString()));
        assertThat(run.exitCode()).as(run.output()).isZero();

        List<Figure> figures = Files.readAllLines(out.resolve("raw/records.jsonl")).stream().map(line -> {
            Matcher m = RECORD.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            return new Figure(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), Double.parseDouble(m.group(6)));
        }).toList();
        Map<String, List<String>> proxiesByScenario = figures.stream().collect(Collectors.groupingBy(Figure::scenario,
                Collectors.mapping(Figure::proxy, Collectors.collectingAndThen(Collectors.toSet(), s -> s.stream().sorted().toList()))));
        assertThat(proxiesByScenario).containsExactlyInAnyOrderEntriesOf(Map.of(
                "s1", List.of("crossgate", "crossgate+poll-off", "direct", "haproxy", "nginx"),
                "s2", List.of("crossgate", "crossgate+aws-lc", "crossgate+poll-off", "ghostunnel", "haproxy", "haproxy+busy-polling", "nginx"),
                "s3", List.of("crossgate", "direct"),
                "s4", List.of("crossgate", "direct", "socat"),
                "s5", List.of("crossgate", "crossgate+appcds", "crossgate+appcds+c1", "crossgate+appcds+late-c2", "ghostunnel", "nginx"),
                "s6", List.of("crossgate")));
        assertThat(figures.stream().filter(f -> f.unit().equals("count") && !f.metric().equals("rotations")))
                .as("errors and failures of every run").allSatisfy(f -> assertThat(f.value()).as(f.toString()).isZero());
        assertThat(figures.stream().filter(f -> List.of("rps", "handshakes", "messages", "throughput", "first_request", "rss_idle",
                "rps_during").contains(f.metric()))).as("every figure measured something")
                .isNotEmpty().allSatisfy(f -> assertThat(f.value()).as(f.toString()).isPositive());
        assertThat(figures).filteredOn(f -> f.metric().equals("proxy_cpu_per_request"))
                .as("the processor time of each proxy, not of the direct run, in every keep-alive case")
                .allSatisfy(f -> assertThat(f.value()).as(f.toString()).isPositive())
                .extracting(f -> f.caseName() + " " + f.proxy()).containsExactlyInAnyOrder(
                        "h1-100B nginx", "h1-100B haproxy", "h1-100B crossgate", "h1-100B crossgate+poll-off",
                        "h1-16KiB nginx", "h1-16KiB haproxy", "h1-16KiB crossgate",
                        "h2-100B nginx", "h2-100B haproxy", "h2-100B crossgate", "h2-16KiB nginx", "h2-16KiB haproxy", "h2-16KiB crossgate");
        assertThat(figures).filteredOn(f -> f.metric().equals("jvm_warm_up"))
                .as("Crossgate's warm-up of each keep-alive case and of the gRPC streams: the 1 s run, then one more while its JIT"
                        + " compiler threads were busy")
                .allSatisfy(f -> assertThat(f.value()).as(f.toString()).isBetween(1.0, 2.0))
                .extracting(f -> f.scenario() + " " + f.caseName() + " " + f.proxy())
                .containsExactlyInAnyOrder("s1 h1-100B crossgate", "s1 h1-100B crossgate+poll-off", "s1 h1-16KiB crossgate",
                        "s1 h2-100B crossgate", "s1 h2-16KiB crossgate",
                        "s3 64-streams-1KiB crossgate");
        assertThat(figures).filteredOn(f -> f.metric().equals("jit_cpu_so_far"))
                .as("the JIT compiler threads' time the warm-up check reads: a fresh JVM under load has compiled").hasSize(6)
                .allSatisfy(f -> assertThat(f.value()).as(f.toString()).isPositive());
        // s1: nginx, HAProxy and Crossgate in each of its four cases, Crossgate without polls in one (besides the direct runs);
        // s2: four proxies in each of its four cases, AWS-LC in three of them, polling HAProxy and unpolled Crossgate in two
        int keepAliveRuns = 4 * 3 + 1;
        int handshakeRuns = 4 * 4 + 3 + 2 * 2;
        assertThat(figures).filteredOn(f -> f.metric().equals("proxy_cpu_per_handshake"))
                .as("the processor time of each proxy in every handshake case").hasSize(handshakeRuns)
                .allSatisfy(f -> assertThat(f.value()).as(f.toString()).isPositive());
        assertThat(figures).filteredOn(f -> f.metric().equals("proxy_sleeps"))
                .as("how often each proxy's threads slept, beside its processor time in every keep-alive and handshake case")
                .hasSize(keepAliveRuns + handshakeRuns).allSatisfy(f -> assertThat(f.value()).as(f.toString()).isNotNegative());
        if (Runtime.getRuntime().availableProcessors() >= 2) { // with one core the load has none of its own to read
            assertThat(figures).filteredOn(f -> f.metric().startsWith("load_cpu_per_"))
                    .as("the load core's processor time in every keep-alive case, the direct run included, and every handshake case")
                    .hasSize(keepAliveRuns + 4 + handshakeRuns).allSatisfy(f -> assertThat(f.value()).as(f.toString()).isPositive());
        }
        assertThat(figures).filteredOn(f -> f.metric().equals("rss_per_added_idle_tls"))
                .as("what the second half of the idle connections added, for every proxy at rest").extracting(Figure::proxy)
                .containsExactlyInAnyOrder("crossgate", "crossgate+appcds", "crossgate+appcds+c1", "crossgate+appcds+late-c2", "ghostunnel", "nginx");
        assertThat(figures).filteredOn(f -> f.metric().equals("rotations")).singleElement()
                .satisfies(f -> assertThat(f.value()).isGreaterThanOrEqualTo(2));

        String report = Files.readString(out.resolve("latest.md"));
        assertThat(report).contains("## Targets", "| cores |", "| headers |", "Crossgate/nginx", "Crossgate/haproxy",
                "Crossgate/ghostunnel", "Crossgate/direct", "Crossgate/socat", "(CPU per handshake; added)")
                .doesNotContain("Not run", "not run");
    }
}
