package dev.crossgate.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SourceSettings;

/** The whole configuration, typed and checked: what the application context is built from. */
public record CrossgateConfiguration(List<CertSourceConfig> certs) {

    public static final String CERTS_PREFIX = SourceSettings.PREFIX;

    public CrossgateConfiguration {
        certs = List.copyOf(certs);
    }

    /** The schema of every setting: the common ones and those of every source type on the class path. */
    public static ConfigSchema schema(Collection<CertificateSourceProvider> providers) {
        Set<String> sourceKeys = new java.util.HashSet<>(SourceSettings.COMMON_KEYS);
        providers.forEach(provider -> sourceKeys.addAll(provider.settingKeys()));
        return new ConfigSchema(List.of(new ConfigSchema.Section(CERTS_PREFIX, true, sourceKeys)));
    }

    /** Types the canonical properties; every problem is collected before failing. */
    public static CrossgateConfiguration from(Map<String, String> properties, Collection<CertificateSourceProvider> providers)
            throws ConfigException {
        ConfigSchema schema = schema(providers);
        Map<String, CertificateSourceProvider> byType = new LinkedHashMap<>();
        providers.forEach(provider -> byType.put(provider.type(), provider));
        Map<String, Map<String, String>> entries = new TreeMap<>();
        properties.forEach((property, value) -> schema.resolveProperty(property)
                .filter(p -> p.section().prefix().equals(CERTS_PREFIX))
                .ifPresent(p -> entries.computeIfAbsent(p.name(), n -> new HashMap<>()).put(p.key(), value)));

        List<String> problems = new ArrayList<>();
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
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new CrossgateConfiguration(certs);
    }
}
