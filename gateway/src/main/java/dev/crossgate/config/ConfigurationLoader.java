package dev.crossgate.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import dev.crossgate.certsource.SettingNames;

/**
 * Gathers configuration from an optional YAML file (named by {@code CROSSGATE_CONFIG}), environment
 * variables and {@code -Dcrossgate.*} system properties, later ones winning, into canonical property
 * names. Anything under the {@code crossgate} prefix that the schema does not know is an error with a
 * suggestion: a misspelled variable silently ignored is how gateways end up serving plaintext.
 */
public final class ConfigurationLoader {

    public static final String CONFIG_FILE_ENV = "CROSSGATE_CONFIG";
    /** Read by the logging set-up itself (admin.LogSetup), before any of this runs. */
    public static final String LOG_LEVEL_ENV = "CROSSGATE_LOG_LEVEL";
    private static final String ENV_PREFIX = "CROSSGATE_";
    private static final String PROPERTY_PREFIX = "crossgate.";

    private final ConfigSchema schema;

    public ConfigurationLoader(ConfigSchema schema) {
        this.schema = schema;
    }

    /** Canonical property names to values, sorted, or every problem found. */
    public Map<String, String> load(Map<String, String> environment, Map<String, String> systemProperties) throws ConfigException {
        List<String> problems = new ArrayList<>();
        Map<String, String> properties = new TreeMap<>();
        // sections are the schema's own objects: by identity, not by the record's hash of every key it holds
        Map<ConfigSchema.Section, Set<String>> names = new IdentityHashMap<>();
        List<Runnable> suggestions = new ArrayList<>();

        String file = environment.get(CONFIG_FILE_ENV);
        if (file != null && !file.isBlank()) {
            readYaml(Path.of(file.trim()), problems).forEach((property, value) ->
                    put(property, value, "in " + file.trim(), properties, names, problems, suggestions, false));
        }
        environment.forEach((variable, value) -> {
            if (variable.startsWith(ENV_PREFIX) && !variable.equals(CONFIG_FILE_ENV) && !variable.equals(LOG_LEVEL_ENV)) {
                put(variable, value, "environment variable", properties, names, problems, suggestions, true);
            }
        });
        systemProperties.forEach((property, value) -> {
            if (property.startsWith(PROPERTY_PREFIX)) {
                put(property, value, "system property", properties, names, problems, suggestions, false);
            }
        });
        suggestions.forEach(Runnable::run); // after every valid name is known, so suggestions can use them
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().sorted().toList());
        }
        return properties;
    }

    private void put(String setting, String value, String origin, Map<String, String> properties,
                     Map<ConfigSchema.Section, Set<String>> names, List<String> problems, List<Runnable> suggestions, boolean env) {
        var resolved = env ? schema.resolveEnv(setting) : schema.resolveProperty(setting);
        if (resolved.isPresent()) {
            ConfigSchema.Property property = resolved.get();
            properties.put(property.fullName(), value);
            if (property.name() != null) {
                names.computeIfAbsent(property.section(), s -> new java.util.TreeSet<>()).add(property.name());
            }
            return;
        }
        suggestions.add(() -> {
            var suggestion = env ? schema.suggestEnv(setting, names) : schema.suggestProperty(setting, names);
            problems.add("unknown setting " + setting + " (" + origin + ")"
                    + suggestion.map(s -> "; did you mean " + s + "?").orElse("; see the configuration table in the README"));
        });
    }

    private static Map<String, String> readYaml(Path file, List<String> problems) {
        Object document;
        try (Reader reader = Files.newBufferedReader(file)) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (NoSuchFileException e) {
            problems.add(CONFIG_FILE_ENV + ": " + file + " does not exist");
            return Map.of();
        } catch (IOException | YAMLException e) {
            problems.add(CONFIG_FILE_ENV + ": " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return Map.of();
        }
        Map<String, String> flat = new TreeMap<>();
        if (document instanceof Map<?, ?> map) {
            flatten("", map, flat);
        } else if (document != null) {
            problems.add(CONFIG_FILE_ENV + ": " + file + " must hold a mapping under 'crossgate:'");
        }
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        map.forEach((key, value) -> {
            String name = prefix + key;
            if (value instanceof Map<?, ?> nested) {
                flatten(name + ".", nested, out);
            } else if (value instanceof List<?> list) {
                out.put(name, list.stream().map(String::valueOf).collect(Collectors.joining(",")));
            } else {
                out.put(name, value == null ? "" : String.valueOf(value));
            }
        });
    }

    /** "crossgate.certs.edge.source (CROSSGATE_CERTS_EDGE_SOURCE)", for messages outside this class. */
    public static String describe(String property) {
        return SettingNames.describe(property);
    }
}
