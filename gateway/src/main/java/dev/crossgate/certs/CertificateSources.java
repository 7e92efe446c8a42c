package dev.crossgate.certs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.Durations;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceCounters;
import dev.crossgate.certsource.SourceSettings;
import dev.crossgate.config.CertSourceConfig;
import dev.crossgate.config.ConfigException;
import dev.crossgate.tls.TlsMaterial;

/** The configured certificate sources, by name, created through the providers found on the class path. */
public final class CertificateSources implements AutoCloseable {

    private final Map<String, CertificateSource> byName;
    private final Map<String, Duration> readinessMargins;

    private CertificateSources(Map<String, CertificateSource> byName, Map<String, Duration> readinessMargins) {
        this.byName = byName;
        this.readinessMargins = readinessMargins;
    }

    public static List<CertificateSourceProvider> providers() {
        return ServiceLoader.load(CertificateSourceProvider.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** Creates every source, checking its settings; all problems are reported together. Nothing starts yet. */
    public static CertificateSources create(Collection<CertSourceConfig> configs, Collection<CertificateSourceProvider> providers, Clock clock)
            throws ConfigException {
        Map<String, CertificateSource> sources = new LinkedHashMap<>();
        Map<String, Duration> margins = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (CertSourceConfig config : configs) {
            CertificateSourceProvider provider = providers.stream().filter(p -> p.type().equals(config.type())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("configuration was checked against the providers"));
            try {
                SourceSettings settings = new SourceSettings(config.name(), config.settings(), clock);
                margins.put(config.name(), settings.readinessMargin());
                sources.put(config.name(), provider.create(settings));
            } catch (SettingException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            sources.values().forEach(CertificateSource::close);
            throw new ConfigException(problems);
        }
        return new CertificateSources(sources, margins);
    }

    public Optional<CertificateSource> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<CertificateSource> all() {
        return byName.values();
    }

    /**
     * Sources that keep the gateway from being ready, one line each: one with nothing to hand out that has failed
     * (the listeners say that they wait; this says why), and one whose served certificate expires within its
     * readiness margin, because renewals have failed for that long and peers are about to refuse it.
     */
    public List<String> notReady(Instant now) {
        List<String> reasons = new ArrayList<>();
        for (CertificateSource source : byName.values()) {
            SourceCounters counters = source.counters();
            SourceCounters.Failure failure = latest(counters.lastFetchFailure(), counters.lastRejection());
            Optional<TlsMaterial> current = source.current();
            if (current.isEmpty()) {
                if (failure != null) {
                    reasons.add("source " + source.name() + " has no certificate yet: " + failure.reason() + ": " + failure.message());
                }
                continue;
            }
            Duration margin = readinessMargins.get(source.name());
            current.flatMap(TlsMaterial::leaf).map(leaf -> leaf.getNotAfter().toInstant())
                    .filter(notAfter -> now.plus(margin).isAfter(notAfter))
                    .ifPresent(notAfter -> reasons.add("source " + source.name() + " serves a certificate that expires at " + notAfter
                            + ", within its readiness-margin of " + Durations.format(margin)
                            + (failure == null ? "" : "; last failure: " + failure.reason() + ": " + failure.message())));
        }
        return reasons;
    }

    private static SourceCounters.Failure latest(SourceCounters.Failure a, SourceCounters.Failure b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.at().isAfter(b.at()) ? a : b;
    }

    public void start() {
        byName.values().forEach(CertificateSource::start);
    }

    @Override
    public void close() {
        byName.values().forEach(CertificateSource::close);
    }
}
