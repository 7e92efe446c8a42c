package dev.crossgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;

class LogSetupTest {

    @Test
    void eventsAtOrAboveTheLevelGoToStandardOutputOneLineEach() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // what logback's own start-up sets
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogSetup.install(context, Level.WARN);
            context.getLogger("dev.crossgate.listener.HttpProxy").info("not shown");
            context.getLogger("dev.crossgate.listener.HttpProxy").warn("upstream_failed listener=edge");
        } finally {
            System.setOut(original);
            context.stop();
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output).doesNotContain("not shown");
        assertThat(output).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ WARN  HttpProxy upstream_failed listener=edge\\R");
    }

    @Test
    void theLevelComesFromCrossgateLogLevelAndFallsBackToInfo() {
        String key = dev.crossgate.config.ConfigurationLoader.LOG_LEVEL_ENV;
        try {
            System.setProperty(key, "debug");
            assertThat(LogSetup.level()).isEqualTo(Level.DEBUG);
            System.setProperty(key, "loud");
            assertThat(LogSetup.level()).isEqualTo(Level.INFO);
        } finally {
            System.clearProperty(key);
        }
    }
}
