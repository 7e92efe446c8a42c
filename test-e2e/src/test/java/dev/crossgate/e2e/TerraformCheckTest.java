package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * infra/terraform as far as it can be checked without a provider registry (see infra/terraform/check.sh): OpenTofu's
 * formatter parses and checks every file; every module parses, and every variable and output is described.
 */
class TerraformCheckTest {

    private static final Path TERRAFORM = Path.of("..", "infra", "terraform").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theModulesAndTheExamplePassTheChecks() throws Exception {
        Processes.Result result = Processes.run(TERRAFORM, Duration.ofMinutes(20), java.util.List.of("bash", "check.sh"));
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void theChecksCatchASyntaxErrorAndAnUndescribedVariable() throws Exception {
        Path copy = dir.resolve("terraform");
        Processes.ok(dir, "cp", "-r", TERRAFORM.toString(), copy.toString());
        Files.writeString(copy.resolve("modules/gateway/extra.tf"), "variable \"undescribed\" {\n  type = string\n}\n");
        Processes.Result undescribed = Processes.run(TERRAFORM, Duration.ofMinutes(5), java.util.List.of("bash", "check.sh", copy.toString()));
        assertThat(undescribed.exitCode()).isNotZero();
        assertThat(undescribed.output()).contains("variable undescribed has no description");

        Files.writeString(copy.resolve("modules/gateway/extra.tf"), "variable \"broken\" {\n  type = \n}\n");
        Processes.Result broken = Processes.run(TERRAFORM, Duration.ofMinutes(5), java.util.List.of("bash", "check.sh", copy.toString()));
        assertThat(broken.exitCode()).isNotZero();
        assertThat(broken.output()).contains("extra.tf");
    }
}
