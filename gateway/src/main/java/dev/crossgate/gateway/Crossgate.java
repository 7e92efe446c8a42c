package dev.crossgate.gateway;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.crossgate.certs.CertificateSources;
import dev.crossgate.certs.CertsGenerateCommand;
import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.config.ConfigException;
import dev.crossgate.config.ConfigurationLoader;
import dev.crossgate.config.CrossgateConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar crossgate.jar [command]}. Without a command the gateway runs from its configuration
 * (environment variables, {@code CROSSGATE_CONFIG} YAML, {@code -Dcrossgate.*}).
 */
@Command(name = "crossgate.jar", mixinStandardHelpOptions = true, version = "Crossgate 0.1.0",
        description = "A reactive mTLS gateway with rotating certificates. Without a command, runs from configuration.",
        subcommands = {Crossgate.Certs.class})
public final class Crossgate implements Callable<Integer> {

    /** Configuration problems: the process exits with this so orchestrators do not restart it in a tight loop unseen. */
    public static final int EXIT_CONFIGURATION = 2;

    private final Map<String, String> environment;
    private final Map<String, String> systemProperties;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Crossgate(Map<String, String> environment, Map<String, String> systemProperties) {
        this.environment = environment;
        this.systemProperties = systemProperties;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), systemProperties(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** The whole command line, with its inputs passed in so tests can drive it without a new JVM. */
    public static int run(String[] args, Map<String, String> environment, Map<String, String> systemProperties, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Crossgate(environment, systemProperties));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("crossgate: " + e.getMessage());
            return 1;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            var providers = CertificateSources.providers();
            CrossgateConfiguration configuration = configuration(providers);
            try (CertificateSources sources = CertificateSources.create(configuration.certs(), providers, Clock.systemUTC())) {
                throw new ConfigException("no listener is configured, so there is nothing to serve; the data plane "
                        + "(crossgate.listeners.<name>.*) is not part of this build yet. Configured certificate sources: "
                        + (sources.all().isEmpty() ? "none" : sources.all().stream().map(s -> s.name() + " (" + s.type() + ")").toList())
                        + ". Try 'certs generate --help'.");
            }
        } catch (ConfigException e) {
            err.println("crossgate: cannot start, the configuration has " + e.problems().size() + " problem(s):");
            e.problems().forEach(problem -> err.println("  - " + problem));
            err.flush();
            return EXIT_CONFIGURATION;
        }
    }

    private CrossgateConfiguration configuration(java.util.List<CertificateSourceProvider> providers) throws ConfigException {
        ConfigurationLoader loader = new ConfigurationLoader(CrossgateConfiguration.schema(providers));
        return CrossgateConfiguration.from(loader.load(environment, systemProperties), providers);
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> properties = new HashMap<>();
        System.getProperties().forEach((key, value) -> properties.put(String.valueOf(key), String.valueOf(value)));
        return properties;
    }

    @Command(name = "certs", mixinStandardHelpOptions = true, description = "Certificate tools.",
            subcommands = {CertsGenerateCommand.class})
    static final class Certs implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return EXIT_CONFIGURATION;
        }
    }
}
