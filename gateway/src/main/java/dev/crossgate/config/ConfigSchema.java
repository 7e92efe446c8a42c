package dev.crossgate.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.crossgate.certsource.SettingNames;

/**
 * Every property Crossgate understands. Sections such as {@code crossgate.certs.<name>.} hold named
 * entries; plain sections such as {@code crossgate.admin.} do not. The schema is what lets an environment
 * variable be mapped back to exactly one property, and a misspelled one be refused with a suggestion.
 */
public final class ConfigSchema {

    /** Names of listeners, connectors and sources: lower-case letters, digits and hyphens. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    /** @param prefix such as {@code crossgate.certs.}; @param named whether entries carry a {@code <name>} */
    public record Section(String prefix, boolean named, Set<String> keys) {
        public Section {
            keys = Set.copyOf(keys);
        }

        String envPrefix() {
            return SettingNames.envVar(prefix);
        }
    }

    /** A property resolved against the schema: its section, the entry name (or null), and the key within. */
    public record Property(Section section, String name, String key) {
        public String fullName() {
            return section.prefix() + (name == null ? "" : name + ".") + key;
        }
    }

    private final List<Section> sections;

    public ConfigSchema(Collection<Section> sections) {
        this.sections = List.copyOf(sections);
    }

    public List<Section> sections() {
        return sections;
    }

    /** Resolves a dotted property name such as {@code crossgate.certs.edge.cert-path}. */
    public Optional<Property> resolveProperty(String property) {
        for (Section section : sections) {
            if (!property.startsWith(section.prefix())) {
                continue;
            }
            String rest = property.substring(section.prefix().length());
            if (!section.named()) {
                if (section.keys().contains(rest)) {
                    return Optional.of(new Property(section, null, rest));
                }
                continue;
            }
            int dot = rest.indexOf('.');
            if (dot > 0 && section.keys().contains(rest.substring(dot + 1)) && NAME.matcher(rest.substring(0, dot)).matches()) {
                return Optional.of(new Property(section, rest.substring(0, dot), rest.substring(dot + 1)));
            }
        }
        return Optional.empty();
    }

    /**
     * Resolves an environment variable. The key is matched from the end, longest first, so that
     * {@code CROSSGATE_CERTS_REGION_A_CERT_PATH} is the {@code cert-path} of source {@code region-a}.
     */
    public Optional<Property> resolveEnv(String variable) {
        for (Section section : sections) {
            String envPrefix = section.envPrefix();
            if (!variable.startsWith(envPrefix)) {
                continue;
            }
            String rest = variable.substring(envPrefix.length());
            if (!section.named()) {
                for (String key : section.keys()) {
                    if (SettingNames.envVar(key).equals(rest)) {
                        return Optional.of(new Property(section, null, key));
                    }
                }
                continue;
            }
            String bestKey = null;
            for (String key : section.keys()) {
                String suffix = "_" + SettingNames.envVar(key);
                if (rest.endsWith(suffix) && rest.length() > suffix.length() && (bestKey == null || key.length() > bestKey.length())) {
                    bestKey = key;
                }
            }
            if (bestKey != null) {
                String name = rest.substring(0, rest.length() - SettingNames.envVar(bestKey).length() - 1)
                        .toLowerCase(Locale.ROOT).replace('_', '-');
                if (NAME.matcher(name).matches()) {
                    return Optional.of(new Property(section, name, bestKey));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The known variable closest to a misspelled one, among the names in use and the names the variable
     * itself suggests; empty when nothing is close enough to be a likely typo.
     */
    public Optional<String> suggestEnv(String variable, Map<Section, Set<String>> namesInUse) {
        List<String> candidates = new ArrayList<>();
        for (Section section : sections) {
            Set<String> names = new TreeSet<>(namesInUse.getOrDefault(section, Set.of()));
            names.addAll(guessNames(variable, section));
            for (String key : section.keys()) {
                if (!section.named()) {
                    candidates.add(section.envPrefix() + SettingNames.envVar(key));
                } else {
                    for (String name : names) {
                        candidates.add(section.envPrefix() + SettingNames.envVar(name) + "_" + SettingNames.envVar(key));
                    }
                }
            }
        }
        return closest(variable, candidates);
    }

    public Optional<String> suggestProperty(String property, Map<Section, Set<String>> namesInUse) {
        return suggestEnv(SettingNames.envVar(property), namesInUse).flatMap(env -> resolveEnv(env).map(Property::fullName));
    }

    private static Set<String> guessNames(String variable, Section section) {
        // CROSSGATE_CERTS_EDGE_CERT_PTH: any leading run of tokens after the section may be the name.
        Set<String> names = new TreeSet<>();
        String[] tokens = variable.split("_");
        int sectionTokens = section.envPrefix().split("_").length;
        for (int end = sectionTokens + 1; end < tokens.length; end++) {
            StringBuilder name = new StringBuilder();
            for (int i = sectionTokens; i < end; i++) {
                name.append(i > sectionTokens ? "-" : "").append(tokens[i].toLowerCase(Locale.ROOT));
            }
            names.add(name.toString());
        }
        // a misspelled section (CROSSGATE_CERT_EDGE_...) shifts the name by one token
        if (tokens.length > 3) {
            names.add(tokens[2].toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static Optional<String> closest(String target, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = levenshtein(target, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.max(2, target.length() / 6);
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
