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
        subcommands = {Crossgate.Certs.class, DemoCommand.class})
public final class Crossgate implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Crossgate.class);

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
        // Netty's defaults the gateway changes, set before any Netty class reads them; a -D of the same name wins.
        // Netty's first buffer would register its JFR events, which starts JFR's metadata: 70 ms of a 1 s start (bench/ s5);
        // -Dio.netty.jfr.enabled=true brings them back for a recording.
        defaultProperty("io.netty.jfr.enabled", "false");
        // With a heap of 512 MiB or less Netty's buffer allocator takes the machine for a small one: no buffer cache per
        // event loop, and every buffer over 16.5 KiB (64 KiB reads) made, zeroed and freed anew. That cost an HTTP/2 16 KiB
        // request 15 % more CPU (bench/, side by side); pooling them held 6.6 MB more under that load.
        defaultProperty("io.netty.allocator.lowMemory", "false");
        // Sampled leak tracking records a stack trace for one buffer in 128: 1-2 % of the CPU of a busy proxy (bench/);
        // the end-to-end tests run the gateway with it fully on instead.
        defaultProperty("io.netty.leakDetection.level", "disabled");
        System.exit(run(args, System.getenv(), systemProperties(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /** The whole command line, with its inputs passed in so tests can drive it without a new JVM. */
    public static int run(String[] args, Map<String, String> environment, Map<String, String> systemProperties, PrintWriter out, PrintWriter err) {
        if (args.length == 0) {
            // how containers run it: picocli would read the annotations of every command first, a tenth of the start (bench/ s5)
            try {
                return serve(environment, systemProperties, out, err, null);
            } catch (Exception e) {
                return failed(e, err);
            }
        }
        CommandLine commandLine = new CommandLine(new Crossgate(environment, systemProperties));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> failed(e, err));
        return commandLine.execute(args);
    }

    private static int failed(Exception e, PrintWriter err) {
        err.println("crossgate: " + e.getMessage());
        err.flush();
        return 1;
    }

    @Override
    public Integer call() throws Exception {
        return serve(environment, systemProperties, spec.commandLine().getOut(), spec.commandLine().getErr(), null);
    }

    /**
     * Loads and checks the configuration, starts the gateway and serves until SIGTERM, then drains.
     * {@code started} (may be null) is told once everything listens, before this blocks.
     */
    static int serve(Map<String, String> environment, Map<String, String> systemProperties, PrintWriter out, PrintWriter err,
                     java.util.function.Consumer<Gateway> started) throws Exception {
        Gateway gateway;
        try {
            var providers = CertificateSources.providers();
            CrossgateConfiguration configuration = configuration(environment, systemProperties, providers);
            configuration.tls().applyProcessWide();
            dev.crossgate.tls.TlsContexts.load(configuration.tls().library());
            java.util.List<String> problems = new java.util.ArrayList<>();
            CertificateSources sources = null;
            try {
                sources = CertificateSources.create(configuration.certs(), providers, Clock.systemUTC());
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
            if (configuration.listeners().isEmpty()) {
                problems.add("no listener is configured, so there is nothing to serve: set at least "
                        + "CROSSGATE_LISTENERS_<NAME>_PORT and CROSSGATE_LISTENERS_<NAME>_CONNECTOR (see the README), or run 'demo'");
            }
            if (!problems.isEmpty()) {
                if (sources != null) {
                    sources.close();
                }
                throw new ConfigException(problems);
            }
            gateway = Gateway.start(configuration, sources);
        } catch (ConfigException e) {
            err.println("crossgate: cannot start, the configuration has " + e.problems().size() + " problem(s):");
            e.problems().forEach(problem -> err.println("  - " + problem));
            err.flush();
            return EXIT_CONFIGURATION;
        }
        // SIGTERM and SIGINT start a drain and the process then exits 0, as orchestrators expect of a clean stop;
        // a shutdown hook alone would leave the JVM exiting with 143.
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), received -> stop.countDown());
        }
        if (started != null) {
            started.accept(gateway);
        }
        stop.await();
        LOG.info("stopping: no new connections; requests in flight get up to {} to finish", Gateway.DEFAULT_GRACE);
        gateway.close(Gateway.DEFAULT_GRACE);
        LOG.info("stopped");
        return 0;
    }

    static CrossgateConfiguration configuration(Map<String, String> environment, Map<String, String> systemProperties,
                                                java.util.List<CertificateSourceProvider> providers) throws ConfigException {
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
