package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs after every other test of the build (its own surefire execution, last in the last module): no private key or
 * token the suite made appears in anything the suite wrote out, that is every test's output and report in every
 * module and every gateway's log. A secret is looked for by 32-character pieces that lie within one 64-character PEM
 * line, so a key printed whole, wrapped as PEM or not, or cut into a message, is caught; pieces that several secrets
 * share (the ASN.1 header every EC key starts with) say nothing about any one key and are left out.
 */
class NoSecretInSuiteOutputTest {

    private static final int PROBE = 32;

    @Test
    void noKeyOrTokenTheSuiteMadeAppearsInAnyOutputOfTheSuite() throws IOException {
        Path root = Path.of(System.getProperty("crossgate.build.root"));
        Set<String> secrets = secrets(Path.of(System.getProperty(dev.crossgate.tls.TestSecrets.DIR_PROPERTY)));
        List<Path> outputs = outputs(root);
        System.out.printf("looking for %d secrets in %d output files%n", secrets.size(), outputs.size());
        assertThat(secrets.size()).as("secrets recorded by the suite (TestPki keys, ServiceAccount tokens, keys beside gateway logs)")
                .isGreaterThan(100); // the count only: a failure message must not print them
        assertThat(outputs).as("gateway logs kept by the suite").anyMatch(p -> p.toString().contains("gateway-logs"));
        assertThat(leaks(secrets, outputs)).isEmpty();
    }

    @Test
    void theSearchFindsAKeyPrintedWholeOrAsPem(@TempDir Path dir) throws IOException {
        String secret = java.util.Base64.getEncoder().encodeToString(new byte[200]).replace('A', 'k') + "Zq9";
        Path whole = Files.writeString(dir.resolve("whole.txt"), "error: key was " + secret + " and more");
        StringBuilder pem = new StringBuilder("-----BEGIN PRIVATE KEY-----\n");
        for (int i = 0; i < secret.length(); i += 64) {
            pem.append(secret, i, Math.min(secret.length(), i + 64)).append('\n');
        }
        Path wrapped = Files.writeString(dir.resolve("wrapped.txt"), pem + "-----END PRIVATE KEY-----\n");
        Path clean = Files.writeString(dir.resolve("clean.txt"), "nothing to see");
        assertThat(leaks(Set.of(secret), List.of(whole, wrapped, clean))).hasSize(2)
                .anySatisfy(leak -> assertThat(leak).contains("whole.txt"))
                .anySatisfy(leak -> assertThat(leak).contains("wrapped.txt"));
    }

    private static Set<String> secrets(Path dir) throws IOException {
        Set<String> secrets = new LinkedHashSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.readAllLines(file, StandardCharsets.US_ASCII).stream().map(String::strip).filter(s -> s.length() >= PROBE)
                            .forEach(secrets::add);
                }
            }
        }
        return secrets;
    }

    /** Test output and reports of every module, and the gateway logs the e2e tests kept. */
    private static List<Path> outputs(Path root) throws IOException {
        List<Path> outputs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 6)) {
            files.filter(Files::isRegularFile).filter(file -> {
                String path = root.relativize(file).toString();
                return path.contains("target/") && (path.matches(".*target/[a-z-]*reports/.*") || path.contains("target/gateway-logs/"))
                        && !path.contains("no-secret-reports");
            }).forEach(outputs::add);
        }
        return outputs;
    }

    /** Every run of base64 characters in the outputs, tried at each offset against the probes: linear in the output's size. */
    private static List<String> leaks(Set<String> secrets, List<Path> outputs) throws IOException {
        java.util.Map<String, Integer> owners = new java.util.HashMap<>();
        for (String secret : secrets) {
            Set<String> own = new java.util.HashSet<>();
            for (int i = 0; i + PROBE <= secret.length(); i += 16) {
                if (i % 64 + PROBE <= 64) {
                    own.add(secret.substring(i, i + PROBE));
                }
            }
            own.forEach(probe -> owners.merge(probe, 1, Integer::sum));
        }
        Set<String> probes = new java.util.HashSet<>();
        owners.forEach((probe, count) -> {
            if (count == 1) {
                probes.add(probe);
            }
        });
        java.util.regex.Pattern run = java.util.regex.Pattern.compile("[A-Za-z0-9+/]{" + PROBE + ",}");
        List<String> leaks = new ArrayList<>();
        for (Path output : outputs) {
            java.util.regex.Matcher runs = run.matcher(Files.readString(output, StandardCharsets.ISO_8859_1));
            search:
            while (runs.find()) {
                String candidate = runs.group();
                for (int i = 0; i + PROBE <= candidate.length(); i++) {
                    if (probes.contains(candidate.substring(i, i + PROBE))) {
                        leaks.add(output + " contains " + candidate.substring(i, i + 8) + "...");
                        break search;
                    }
                }
            }
        }
        return leaks;
    }
}
