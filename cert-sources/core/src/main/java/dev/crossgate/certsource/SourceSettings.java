package dev.crossgate.certsource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.crossgate.tls.MaterialValidator;

/**
 * The settings of one source, {@code crossgate.certs.<name>.*}, with typed accessors whose errors name
 * the property and its environment variable.
 */
public final class SourceSettings {

    public static final String PREFIX = "crossgate.certs.";
    public static final String SOURCE = "source";
    public static final String EXPIRY_WARNING = "expiry-warning";
    public static final String VERIFY_CHAIN = "verify-chain";
    /** Keys every source type understands. */
    public static final Set<String> COMMON_KEYS = Set.of(SOURCE, EXPIRY_WARNING, VERIFY_CHAIN);
    public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofDays(14);

    private final String name;
    private final Map<String, String> values;
    private final Clock clock;

    /** @param values keys relative to {@code crossgate.certs.<name>.}, e.g. {@code cert-path} */
    public SourceSettings(String name, Map<String, String> values, Clock clock) {
        this.name = name;
        this.values = Map.copyOf(values);
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    public Clock clock() {
        return clock;
    }

    public String property(String key) {
        return PREFIX + name + "." + key;
    }

    public Optional<String> optional(String key) {
        return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String required(String key) throws SettingException {
        return optional(key).orElseThrow(() -> new SettingException(
                "source " + name + " needs " + SettingNames.describe(property(key))));
    }

    /** A path that must exist and be a readable file when set. */
    public Optional<Path> existingFile(String key) throws SettingException {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(value.get());
        if (!Files.exists(path)) {
            throw new SettingException(SettingNames.describe(property(key)) + ": " + path + " does not exist");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new SettingException(SettingNames.describe(property(key)) + ": " + path + " is not a readable file");
        }
        return Optional.of(path);
    }

    public Duration duration(String key, Duration defaultValue) throws SettingException {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            Duration duration = Durations.parse(value.get());
            if (duration.isNegative()) {
                throw new IllegalArgumentException("'" + value.get() + "' is negative");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw new SettingException(SettingNames.describe(property(key)) + ": " + e.getMessage());
        }
    }

    public boolean bool(String key, boolean defaultValue) throws SettingException {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new SettingException(SettingNames.describe(property(key)) + ": '" + value.get() + "' is not true or false");
        };
    }

    /** The validator every source of this name uses, from the common keys. */
    public MaterialValidator validator() throws SettingException {
        return new MaterialValidator(clock, duration(EXPIRY_WARNING, DEFAULT_EXPIRY_WARNING), bool(VERIFY_CHAIN, true));
    }
}
