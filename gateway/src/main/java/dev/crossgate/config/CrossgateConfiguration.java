package dev.crossgate.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.Settings;
import dev.crossgate.certsource.SourceSettings;

/** The whole configuration, typed and cross-checked: what the gateway is assembled from. */
public record CrossgateConfiguration(List<CertSourceConfig> certs, List<ListenerConfig> listeners, List<ConnectorConfig> connectors,
                                     AdminConfig admin, TlsPolicy tls, IoConfig io) {

    public static final String CERTS_PREFIX = SourceSettings.PREFIX;

    public CrossgateConfiguration {
        certs = List.copyOf(certs);
        listeners = List.copyOf(listeners);
        connectors = List.copyOf(connectors);
    }

    /** The schema of every setting: the gateway's own and those of every source type on the class path. */
    public static ConfigSchema schema(Collection<CertificateSourceProvider> providers) {
        Set<String> sourceKeys = new java.util.HashSet<>(SourceSettings.COMMON_KEYS);
        providers.forEach(provider -> sourceKeys.addAll(provider.settingKeys()));
        return new ConfigSchema(List.of(
                new ConfigSchema.Section(CERTS_PREFIX, true, sourceKeys),
                new ConfigSchema.Section(ListenerConfig.PREFIX, true, Set.copyOf(ListenerConfig.KEYS)),
                new ConfigSchema.Section(ConnectorConfig.PREFIX, true, Set.copyOf(ConnectorConfig.KEYS)),
                new ConfigSchema.Section(AdminConfig.PREFIX, false, Set.copyOf(AdminConfig.KEYS)),
                new ConfigSchema.Section(TlsPolicy.PREFIX, false, Set.copyOf(TlsPolicy.KEYS)),
                new ConfigSchema.Section(IoConfig.PREFIX, false, Set.copyOf(IoConfig.KEYS))));
    }

    /** Types the canonical properties and checks how they refer to each other; every problem is collected before failing. */
    public static CrossgateConfiguration from(Map<String, String> properties, Collection<CertificateSourceProvider> providers)
            throws ConfigException {
        ConfigSchema schema = schema(providers);
        Map<String, Map<String, Map<String, String>>> sections = new HashMap<>();
        Map<String, Map<String, String>> plainSections = new HashMap<>();
        properties.forEach((property, value) -> schema.resolveProperty(property).ifPresent(p -> {
            if (p.name() == null) {
                plainSections.computeIfAbsent(p.section().prefix(), s -> new HashMap<>()).put(p.key(), value);
            } else {
                sections.computeIfAbsent(p.section().prefix(), s -> new TreeMap<>()).computeIfAbsent(p.name(), n -> new HashMap<>()).put(p.key(), value);
            }
        }));
        List<String> problems = new ArrayList<>();
        List<CertSourceConfig> certs = certs(sections.getOrDefault(CERTS_PREFIX, Map.of()), providers, problems);
        List<ConnectorConfig> connectors = new ArrayList<>();
        sections.getOrDefault(ConnectorConfig.PREFIX, Map.of()).forEach((name, values) -> collect(problems,
                () -> connectors.add(connector(name, new Settings(ConnectorConfig.PREFIX + name + ".", values)))));
        List<ListenerConfig> listeners = new ArrayList<>();
        sections.getOrDefault(ListenerConfig.PREFIX, Map.of()).forEach((name, values) -> collect(problems,
                () -> listeners.add(listener(name, new Settings(ListenerConfig.PREFIX + name + ".", values)))));
        java.util.function.Function<String, Settings> plain = prefix -> new Settings(prefix, plainSections.getOrDefault(prefix, Map.of()));
        AdminConfig adminConfig = valueOr(problems, new AdminConfig(AdminConfig.DEFAULT_HOST, AdminConfig.DEFAULT_PORT), () -> {
            Settings admin = plain.apply(AdminConfig.PREFIX);
            return new AdminConfig(admin.optional("host").orElse(AdminConfig.DEFAULT_HOST), admin.port("port", AdminConfig.DEFAULT_PORT));
        });
        TlsPolicy tls = valueOr(problems, TlsPolicy.STRICT, () -> TlsPolicy.from(plain.apply(TlsPolicy.PREFIX)));
        IoConfig io = valueOr(problems, IoConfig.defaults(), () -> IoConfig.from(plain.apply(IoConfig.PREFIX)));
        CrossgateConfiguration configuration = new CrossgateConfiguration(certs, listeners, connectors, adminConfig, tls, io);
        configuration.crossCheck(problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return configuration;
    }

    private interface Step {
        void run() throws SettingException;
    }

    private static void collect(List<String> problems, Step step) {
        valueOr(problems, null, () -> {
            step.run();
            return null;
        });
    }

    private interface Value<T> {
        T get() throws SettingException;
    }

    /** The setting's value, or {@code fallback} with the problem collected, so every problem is reported at once. */
    private static <T> T valueOr(List<String> problems, T fallback, Value<T> value) {
        try {
            return value.get();
        } catch (SettingException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }

    private static List<CertSourceConfig> certs(Map<String, Map<String, String>> entries, Collection<CertificateSourceProvider> providers,
                                                List<String> problems) {
        Map<String, CertificateSourceProvider> byType = new LinkedHashMap<>();
        providers.forEach(provider -> byType.put(provider.type(), provider));
        List<CertSourceConfig> certs = new ArrayList<>();
        entries.forEach((name, settings) -> {
            String typeProperty = CERTS_PREFIX + name + "." + SourceSettings.SOURCE;
            String type = settings.getOrDefault(SourceSettings.SOURCE, "").trim();
            CertificateSourceProvider provider = byType.get(type);
            if (provider == null) {
                problems.add(ConfigurationLoader.describe(typeProperty) + (type.isEmpty() ? " is not set" : " is '" + type + "'")
                        + "; use one of " + String.join(", ", byType.keySet()));
                return;
            }
            for (String key : settings.keySet()) {
                if (!SourceSettings.COMMON_KEYS.contains(key) && !provider.settingKeys().contains(key)) {
                    String owner = providers.stream().filter(p -> p.settingKeys().contains(key)).map(CertificateSourceProvider::type)
                            .collect(Collectors.joining(" or "));
                    problems.add(ConfigurationLoader.describe(CERTS_PREFIX + name + "." + key) + " belongs to a " + owner
                            + " source, but source " + name + " is of type " + type);
                }
            }
            certs.add(new CertSourceConfig(name, type, settings));
        });
        return certs;
    }

    private static ListenerConfig listener(String name, Settings settings) throws SettingException {
        ListenerConfig.Protocol protocol = ListenerConfig.Protocol.valueOf(
                settings.choice("protocol", "http", "tcp", "http", "grpc").toUpperCase(Locale.ROOT));
        ListenerConfig.TlsMode mode = ListenerConfig.TlsMode.valueOf(
                settings.choice("tls.mode", "terminate", "terminate", "passthrough", "off").toUpperCase(Locale.ROOT));
        ListenerConfig.ClientAuth clientAuth = ListenerConfig.ClientAuth.valueOf(
                settings.choice("tls.client-auth", "none", "none", "optional", "require").toUpperCase(Locale.ROOT));
        List<String> certs = settings.list("tls.certs");
        if (mode == ListenerConfig.TlsMode.TERMINATE && certs.isEmpty()) {
            throw new SettingException(settings.describe("tls.certs") + " is not set; tls.mode=terminate needs a server certificate source"
                    + " (or set " + settings.describe("tls.mode") + " to off, which serves plaintext)");
        }
        if (mode != ListenerConfig.TlsMode.TERMINATE) {
            for (String key : List.of("tls.certs", "tls.trust", "tls.allowed-sans")) {
                if (settings.has(key)) {
                    throw new SettingException(settings.describe(key) + " is set but tls.mode is " + mode.name().toLowerCase(Locale.ROOT)
                            + "; only tls.mode=terminate uses TLS credentials");
                }
            }
            if (clientAuth != ListenerConfig.ClientAuth.NONE) {
                throw new SettingException(settings.describe("tls.client-auth") + " needs tls.mode=terminate");
            }
        }
        Map<String, String> routes = new java.util.LinkedHashMap<>();
        if (mode == ListenerConfig.TlsMode.PASSTHROUGH) {
            if (protocol != ListenerConfig.Protocol.TCP) {
                throw new SettingException(settings.describe("protocol") + " must be tcp with tls.mode=passthrough: the gateway cannot read "
                        + "HTTP or gRPC inside TLS it does not terminate");
            }
            if (settings.has("connector")) {
                throw new SettingException(settings.describe("connector") + " is set but tls.mode=passthrough routes by "
                        + settings.describe("sni-routes") + " (host=connector,...)");
            }
            for (String route : settings.list("sni-routes")) {
                int equals = route.indexOf('=');
                if (equals <= 0 || equals == route.length() - 1) {
                    throw new SettingException(settings.describe("sni-routes") + ": '" + route + "' is not host=connector");
                }
                routes.put(route.substring(0, equals).trim().toLowerCase(Locale.ROOT), route.substring(equals + 1).trim());
            }
            if (routes.isEmpty()) {
                throw new SettingException(settings.describe("sni-routes") + " is not set; tls.mode=passthrough needs host=connector routes");
            }
        } else if (settings.has("sni-routes")) {
            throw new SettingException(settings.describe("sni-routes") + " is set but only tls.mode=passthrough routes by SNI");
        }
        if (!settings.has("port")) {
            throw new SettingException(settings.describe("port") + " is not set");
        }
        String connector = mode == ListenerConfig.TlsMode.PASSTHROUGH ? null : settings.required("connector");
        return new ListenerConfig(name, settings.optional("host").orElse("0.0.0.0"), settings.port("port", 0), protocol, connector,
                new ListenerConfig.Tls(mode, certs, clientAuth, settings.optional("tls.trust").orElse(null), settings.list("tls.allowed-sans")),
                routes, storeAndForward(settings, protocol), limits(settings));
    }

    private static final java.time.Duration MIN_TIMEOUT = java.time.Duration.ofMillis(100);

    private static ListenerConfig.Limits limits(Settings settings) throws SettingException {
        return new ListenerConfig.Limits(
                settings.integer("max-connections", ListenerConfig.Limits.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
                settings.duration("tls.handshake-timeout", ListenerConfig.Limits.DEFAULT_HANDSHAKE_TIMEOUT, MIN_TIMEOUT),
                settings.duration("idle-timeout", ListenerConfig.Limits.DEFAULT_IDLE_TIMEOUT, MIN_TIMEOUT),
                settings.duration("write-timeout", ListenerConfig.Limits.DEFAULT_WRITE_TIMEOUT, MIN_TIMEOUT),
                settings.duration("http.header-timeout", ListenerConfig.Limits.DEFAULT_HEADER_TIMEOUT, MIN_TIMEOUT),
                (int) settings.bytes("http.max-header-size", ListenerConfig.Limits.DEFAULT_MAX_HEADER_SIZE, 1024),
                settings.integer("http.max-header-count", ListenerConfig.Limits.DEFAULT_MAX_HEADER_COUNT, 8, 10_000),
                settings.integer("http2.max-concurrent-streams", ListenerConfig.Limits.DEFAULT_MAX_CONCURRENT_STREAMS, 1, 10_000),
                settings.integer("http2.max-resets", ListenerConfig.Limits.DEFAULT_MAX_RESETS, 1, 1_000_000));
    }

    private static ListenerConfig.StoreAndForward storeAndForward(Settings settings, ListenerConfig.Protocol protocol) throws SettingException {
        var mode = ListenerConfig.StoreAndForward.Mode.valueOf(
                settings.choice("store-and-forward.mode", "off", "off", "memory", "disk").toUpperCase(Locale.ROOT));
        if (mode == ListenerConfig.StoreAndForward.Mode.OFF) {
            for (String key : List.of("store-and-forward.max-bytes", "store-and-forward.overflow", "store-and-forward.spool-dir")) {
                if (settings.has(key)) {
                    throw new SettingException(settings.describe(key) + " is set but " + settings.describe("store-and-forward.mode") + " is off");
                }
            }
            return ListenerConfig.StoreAndForward.OFF;
        }
        if (protocol != ListenerConfig.Protocol.GRPC) {
            throw new SettingException(settings.describe("store-and-forward.mode") + " needs protocol=grpc: it buffers SkyWalking's gRPC reports");
        }
        long maxBytes = settings.bytes("store-and-forward.max-bytes", ListenerConfig.StoreAndForward.DEFAULT_MAX_BYTES, 1024);
        var overflow = ListenerConfig.StoreAndForward.Overflow.valueOf(settings.choice("store-and-forward.overflow", "drop-oldest",
                "drop-oldest", "drop-newest").toUpperCase(Locale.ROOT).replace('-', '_'));
        java.nio.file.Path spoolDir = null;
        if (mode == ListenerConfig.StoreAndForward.Mode.DISK) {
            spoolDir = java.nio.file.Path.of(settings.required("store-and-forward.spool-dir"));
        } else if (settings.has("store-and-forward.spool-dir")) {
            throw new SettingException(settings.describe("store-and-forward.spool-dir") + " is set but store-and-forward.mode is memory; "
                    + "set it to disk to keep reports across restarts");
        }
        return new ListenerConfig.StoreAndForward(mode, maxBytes, overflow, spoolDir);
    }

    private static ConnectorConfig connector(String name, Settings settings) throws SettingException {
        String address = settings.required("address");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new SettingException(settings.describe("address") + ": '" + address + "' is not host:port");
        }
        String host = address.substring(0, colon).replaceAll("^\\[|]$", "");
        int port = new Settings(settings.property(""), Map.of("address", address.substring(colon + 1))).port("address", 0);
        if (port == 0) {
            throw new SettingException(settings.describe("address") + ": port 0 cannot be dialled");
        }
        boolean originate = settings.choice("tls.mode", "originate", "originate", "off").equals("originate");
        boolean insecure = settings.bool("tls.insecure-skip-verify", false);
        String trust = settings.optional("tls.trust").orElse(null);
        if (originate && trust == null && !insecure) {
            throw new SettingException(settings.describe("tls.trust") + " is not set; tls.mode=originate needs a CA bundle to verify "
                    + "the backend (or set " + settings.describe("tls.insecure-skip-verify") + "=true, or tls.mode=off)");
        }
        if (!originate) {
            for (String key : List.of("tls.certs", "tls.trust", "tls.server-name", "tls.insecure-skip-verify")) {
                if (settings.has(key)) {
                    throw new SettingException(settings.describe(key) + " is set but tls.mode is off");
                }
            }
        }
        return new ConnectorConfig(name, host, port,
                new ConnectorConfig.Tls(originate, settings.optional("tls.certs").orElse(null), trust,
                        settings.optional("tls.server-name").orElse(host), insecure),
                settings.duration("connect-timeout", ConnectorConfig.DEFAULT_CONNECT_TIMEOUT),
                settings.duration("response-timeout", ConnectorConfig.DEFAULT_RESPONSE_TIMEOUT),
                settings.integer("max-connections", ConnectorConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
                settings.integer("max-pending-requests", ConnectorConfig.DEFAULT_MAX_PENDING_REQUESTS, 0, 1_000_000));
    }

    private void crossCheck(List<String> problems) {
        Set<String> sources = certs.stream().map(CertSourceConfig::name).collect(Collectors.toSet());
        Set<String> connectorNames = connectors.stream().map(ConnectorConfig::name).collect(Collectors.toSet());
        Map<Integer, String> ports = new HashMap<>();
        ports.put(admin.port(), AdminConfig.PREFIX + "port");
        for (ListenerConfig listener : listeners) {
            String connectorProperty = listener.connector() != null ? listener.property("connector") : listener.property("sni-routes");
            for (String connector : listener.connectors()) {
                if (!connectorNames.contains(connector)) {
                    problems.add(ConfigurationLoader.describe(connectorProperty) + ": no connector named '" + connector
                            + "' (configured: " + (connectorNames.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(connectorNames))) + ")");
                } else if (listener.tls().mode() == ListenerConfig.TlsMode.PASSTHROUGH
                        && connectors.stream().anyMatch(c -> c.name().equals(connector) && c.tls().originate())) {
                    problems.add(ConfigurationLoader.describe(connectorProperty) + ": connector '" + connector + "' originates TLS, but a "
                            + "passthrough listener forwards the client's TLS untouched; set " + ConfigurationLoader.describe(
                                    ConnectorConfig.PREFIX + connector + ".tls.mode") + "=off");
                }
            }
            for (String source : listener.tls().certs()) {
                requireSource(sources, source, listener.property("tls.certs"), problems);
            }
            if (listener.tls().trust() != null) {
                requireSource(sources, listener.tls().trust(), listener.property("tls.trust"), problems);
            }
            String previous = listener.port() == 0 ? null : ports.putIfAbsent(listener.port(), listener.property("port"));
            if (previous != null) {
                problems.add(ConfigurationLoader.describe(listener.property("port")) + ": port " + listener.port() + " is also used by "
                        + ConfigurationLoader.describe(previous));
            }
        }
        for (ConnectorConfig connector : connectors) {
            if (connector.tls().certs() != null) {
                requireSource(sources, connector.tls().certs(), connector.property("tls.certs"), problems);
            }
            if (connector.tls().trust() != null) {
                requireSource(sources, connector.tls().trust(), connector.property("tls.trust"), problems);
            }
        }
    }

    private static void requireSource(Set<String> sources, String name, String property, List<String> problems) {
        if (!sources.contains(name)) {
            problems.add(ConfigurationLoader.describe(property) + ": no certificate source named '" + name + "' (configured: "
                    + (sources.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(sources))) + ")");
        }
    }
}
