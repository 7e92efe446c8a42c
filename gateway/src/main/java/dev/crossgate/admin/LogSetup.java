package dev.crossgate.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.crossgate.config.ConfigurationLoader;

/**
 * The gateway's logging, set up in code: one line per event on standard output, at the level of {@code CROSSGATE_LOG_LEVEL}
 * (INFO by default). An XML configuration cost a fifth of the time to the first proxied request (bench/ s5), parsing it.
 * A {@code logback-test.xml} on the class path or {@code -Dlogback.configurationFile} still wins.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        install(context, level());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Logs every event at {@code level} or above to standard output, one line each. */
    static void install(LoggerContext context, Level level) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(console);
    }

    /** As the XML configuration read it: a system property first, then the environment; INFO when unset or not a level. */
    static Level level() {
        String value = System.getProperty(ConfigurationLoader.LOG_LEVEL_ENV, System.getenv(ConfigurationLoader.LOG_LEVEL_ENV));
        return Level.toLevel(value, Level.INFO);
    }
}
