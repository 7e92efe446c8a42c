package dev.crossgate.admin;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import dev.crossgate.config.ConfigurationLoader;

/**
 * The gateway's logging: one line per event on standard output, {@code 2026-12-03T07:07:03.783Z INFO  Logger message},
 * with the stack trace of a throwable after it, at the levels {@code CROSSGATE_LOG_LEVEL} sets. An SLF4J provider of its
 * own rather than logback: the gateway needs nothing logback has beyond this, and logback's start-up (its configurator
 * search, pattern parser, converter table and date formatter) was about a tenth of the time to the first proxied request.
 *
 * <p>{@code CROSSGATE_LOG_LEVEL} is a level ({@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error},
 * {@code off}; INFO when unset), optionally followed by {@code logger=level} pairs for a logger and everything under it:
 * {@code info,dev.crossgate.tls=debug,reactor.netty=warn}. An entry that is not that is reported on standard error, naming
 * the setting, and left out.
 */
public final class ConsoleLog implements SLF4JServiceProvider {

    private static final int OFF = Integer.MAX_VALUE;

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private volatile Loggers loggers;

    @Override
    public void initialize() {
        String setting = System.getProperty(ConfigurationLoader.LOG_LEVEL_ENV, System.getenv(ConfigurationLoader.LOG_LEVEL_ENV));
        List<String> problems = new ArrayList<>();
        loggers = new Loggers(Levels.parse(setting, problems), System.out);
        for (String problem : problems) {
            System.err.println(ConfigurationLoader.LOG_LEVEL_ENV + ": " + problem);
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** The threshold of every logger: the root's, and those set for a logger name and the names under it. */
    record Levels(int root, List<Levels.ForName> named) {

        record ForName(String name, int threshold) {
        }

        static Levels parse(String setting, List<String> problems) {
            int root = Level.INFO.toInt();
            List<ForName> named = new ArrayList<>();
            if (setting == null || setting.isBlank()) {
                return new Levels(root, named);
            }
            for (String entry : setting.split(",")) {
                String trimmed = entry.trim();
                int equals = trimmed.indexOf('=');
                String levelName = equals < 0 ? trimmed : trimmed.substring(equals + 1).trim();
                Integer threshold = threshold(levelName);
                if (threshold == null || equals == 0) {
                    problems.add("'" + trimmed + "' is not a level or logger=level (levels: trace, debug, info, warn, error, off);"
                            + " left out");
                } else if (equals < 0) {
                    root = threshold;
                } else {
                    named.add(new ForName(trimmed.substring(0, equals).trim(), threshold));
                }
            }
            if (named.size() > 1) { // the most specific name first, so that the first match is the one that applies
                named.sort((a, b) -> Integer.compare(b.name().length(), a.name().length()));
            }
            return new Levels(root, List.copyOf(named));
        }

        private static Integer threshold(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "trace" -> Level.TRACE.toInt();
                case "debug" -> Level.DEBUG.toInt();
                case "info" -> Level.INFO.toInt();
                case "warn" -> Level.WARN.toInt();
                case "error" -> Level.ERROR.toInt();
                case "off" -> OFF;
                default -> null;
            };
        }

        int thresholdOf(String logger) {
            for (ForName forName : named) {
                String name = forName.name();
                if (logger.startsWith(name) && (logger.length() == name.length() || logger.charAt(name.length()) == '.'
                        || logger.charAt(name.length()) == '$')) {
                    return forName.threshold();
                }
            }
            return root;
        }
    }

    /** One logger per name, its threshold fixed when it is made. */
    static final class Loggers implements ILoggerFactory {
        private final Levels levels;
        private final PrintStream out;
        private final ConcurrentMap<String, Logger> byName = new ConcurrentHashMap<>();

        Loggers(Levels levels, PrintStream out) {
            this.levels = levels;
            this.out = out;
        }

        @Override
        public Logger getLogger(String name) {
            Logger logger = byName.get(name);
            if (logger == null) { // not computeIfAbsent: its lambda's linkage is start-up time, for every library's first logger
                Logger made = new Line(name, levels.thresholdOf(name), out);
                logger = byName.putIfAbsent(name, made);
                return logger != null ? logger : made;
            }
            return logger;
        }
    }

    static final class Line extends LegacyAbstractLogger {
        private static final ZoneRules ZONE = ZoneId.systemDefault().getRules();

        private final transient int threshold;
        private final transient String shortName;
        private final transient PrintStream out;

        Line(String name, int threshold, PrintStream out) {
            this.name = name;
            this.threshold = threshold;
            this.shortName = name.substring(name.lastIndexOf('.') + 1);
            this.out = out;
        }

        @Override
        public boolean isTraceEnabled() {
            return threshold <= Level.TRACE.toInt();
        }

        @Override
        public boolean isDebugEnabled() {
            return threshold <= Level.DEBUG.toInt();
        }

        @Override
        public boolean isInfoEnabled() {
            return threshold <= Level.INFO.toInt();
        }

        @Override
        public boolean isWarnEnabled() {
            return threshold <= Level.WARN.toInt();
        }

        @Override
        public boolean isErrorEnabled() {
            return threshold <= Level.ERROR.toInt();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
            StringBuilder line = new StringBuilder(160);
            appendTimestamp(line, System.currentTimeMillis(), ZONE);
            String label = level.toString();
            line.append(' ').append(label).append("     ", 0, Math.max(0, 5 - label.length()))
                    .append(' ').append(shortName)
                    .append(' ').append(MessageFormatter.basicArrayFormat(pattern, arguments))
                    .append(System.lineSeparator());
            if (thrown != null) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            out.print(line); // one call per event: PrintStream holds its lock for it, so lines never interleave
        }

        /** {@code yyyy-MM-dd'T'HH:mm:ss.SSS} and the offset ({@code Z} or {@code +01:00}) in this host's zone. */
        static void appendTimestamp(StringBuilder line, long epochMillis, ZoneRules zone) {
            ZoneOffset offset = zone.getOffset(Instant.ofEpochMilli(epochMillis));
            LocalDateTime time = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000L),
                    (int) Math.floorMod(epochMillis, 1000L) * 1_000_000, offset);
            line.append(time.getYear()).append('-');
            twoDigits(line, time.getMonthValue()).append('-');
            twoDigits(line, time.getDayOfMonth()).append('T');
            twoDigits(line, time.getHour()).append(':');
            twoDigits(line, time.getMinute()).append(':');
            twoDigits(line, time.getSecond()).append('.');
            int millis = time.getNano() / 1_000_000;
            line.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10));
            line.append(offset.getTotalSeconds() == 0 ? "Z" : offset.getId());
        }

        private static StringBuilder twoDigits(StringBuilder line, int value) {
            return line.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
        }
    }
}
