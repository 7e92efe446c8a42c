package dev.crossgate.certs;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.config.CertSourceConfig;
import dev.crossgate.config.ConfigException;

/** The configured certificate sources, by name, created through the providers found on the class path. */
public final class CertificateSources implements AutoCloseable {

    private final Map<String, CertificateSource> byName;

    private CertificateSources(Map<String, CertificateSource> byName) {
        this.byName = byName;
    }

    public static List<CertificateSourceProvider> providers() {
        return ServiceLoader.load(CertificateSourceProvider.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** Creates every source, checking its settings; all problems are reported together. Nothing starts yet. */
    public static CertificateSources create(Collection<CertSourceConfig> configs, Collection<CertificateSourceProvider> providers, Clock clock)
            throws ConfigException {
        Map<String, CertificateSource> sources = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (CertSourceConfig config : configs) {
            CertificateSourceProvider provider = providers.stream().filter(p -> p.type().equals(config.type())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("configuration was checked against the providers"));
            try {
                sources.put(config.name(), provider.create(new SourceSettings(config.name(), config.settings(), clock)));
            } catch (SettingException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            sources.values().forEach(CertificateSource::close);
            throw new ConfigException(problems);
        }
        return new CertificateSources(sources);
    }

    public Optional<CertificateSource> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<CertificateSource> all() {
        return byName.values();
    }

    public void start() {
        byName.values().forEach(CertificateSource::start);
    }

    @Override
    public void close() {
        byName.values().forEach(CertificateSource::close);
    }
}
