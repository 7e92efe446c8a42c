package dev.crossgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class ConsoleLogTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

    private ConsoleLog.Loggers loggers(String setting) {
        List<String> problems = new ArrayList<>();
        ConsoleLog.Loggers loggers = new ConsoleLog.Loggers(ConsoleLog.Levels.parse(setting, problems), out);
        assertThat(problems).isEmpty();
        return loggers;
    }

    @Test
    void eventsAtOrAboveTheLevelGoToTheStreamOneLineEachWithTheLoggersShortName() {
        Logger proxy = loggers("warn").getLogger("dev.crossgate.listener.HttpProxy");
        proxy.info("not shown");
        proxy.warn("upstream_failed listener={} cause={}", "edge", "refused");
        proxy.error("connector {} down", "backend");

        assertThat(captured.toString(StandardCharsets.UTF_8)).matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ WARN  HttpProxy upstream_failed listener=edge cause=refused\\R"
                        + "\\S+ ERROR HttpProxy connector backend down\\R");
    }

    @Test
    void aThrowableFollowsItsLineWithItsStackTraceAndCause() {
        Logger tls = loggers("info").getLogger("dev.crossgate.tls.ServerTls");
        tls.warn("reload failed source={}", "edge", new IOException("read failed", new IllegalStateException("bad PEM")));

        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output).contains(" WARN  ServerTls reload failed source=edge" + System.lineSeparator()
                + "java.io.IOException: read failed" + System.lineSeparator() + "\tat ");
        assertThat(output).contains("Caused by: java.lang.IllegalStateException: bad PEM");
    }

    @Test
    void theLevelIsTheRootsAndLoggerEqualsLevelPairsSetALoggerAndTheNamesUnderIt() {
        ConsoleLog.Levels levels = ConsoleLog.Levels.parse(" warn , dev.crossgate=info, dev.crossgate.tls=DEBUG,reactor.netty=off",
                new ArrayList<>());

        assertThat(levels.thresholdOf("io.netty.handler.ssl.SslHandler")).isEqualTo(Level.WARN.toInt());
        assertThat(levels.thresholdOf("dev.crossgate.listener.HttpProxy")).isEqualTo(Level.INFO.toInt());
        assertThat(levels.thresholdOf("dev.crossgate.tls.ServerTls")).isEqualTo(Level.DEBUG.toInt());
        assertThat(levels.thresholdOf("dev.crossgate.tls")).isEqualTo(Level.DEBUG.toInt());
        assertThat(levels.thresholdOf("dev.crossgate.tlsx.Other")).isEqualTo(Level.INFO.toInt()); // a name, not a prefix of one
        Logger quiet = new ConsoleLog.Loggers(levels, out).getLogger("reactor.netty.http.server.HttpServer");
        assertThat(quiet.isErrorEnabled()).isFalse();
    }

    @Test
    void anEntryThatIsNotALevelIsReportedNamingTheSettingAndLeftOut() {
        List<String> problems = new ArrayList<>();
        ConsoleLog.Levels levels = ConsoleLog.Levels.parse("loud,dev.crossgate.tls=chatty,=debug,error", problems);

        assertThat(levels.thresholdOf("dev.crossgate.tls.ServerTls")).isEqualTo(Level.ERROR.toInt());
        assertThat(problems).containsExactly(
                "'loud' is not a level or logger=level (levels: trace, debug, info, warn, error, off); left out",
                "'dev.crossgate.tls=chatty' is not a level or logger=level (levels: trace, debug, info, warn, error, off); left out",
                "'=debug' is not a level or logger=level (levels: trace, debug, info, warn, error, off); left out");
        assertThat(ConsoleLog.Levels.parse(null, problems).thresholdOf("any")).isEqualTo(Level.INFO.toInt());
    }

    @Test
    void timestampsAreWhatLogbacksPatternPrintedInEveryZone() {
        DateTimeFormatter logback = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        long[] instants = {0L, 7L, 1_796_270_823_783L, Instant.parse("2026-03-29T00:59:59.999Z").toEpochMilli(),
                Instant.parse("2026-03-29T01:00:00.001Z").toEpochMilli(), Instant.parse("1999-12-31T23:59:59.050Z").toEpochMilli()};
        for (String zone : List.of("UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham")) {
            ZoneId id = ZoneId.of(zone);
            for (long instant : instants) {
                StringBuilder line = new StringBuilder();
                ConsoleLog.Line.appendTimestamp(line, instant, id.getRules());
                assertThat(line.toString()).as(zone + " " + instant).isEqualTo(logback.format(Instant.ofEpochMilli(instant).atZone(id)));
            }
        }
    }

    @Test
    void slf4jFindsTheGatewaysProvider() {
        assertThat(LoggerFactory.getLogger(ConsoleLogTest.class).getClass()).isEqualTo(ConsoleLog.Line.class);
    }
}
