package dev.crossgate.certsource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The settings under one prefix, such as {@code crossgate.certs.edge.} or {@code crossgate.listeners.web.},
 * with typed accessors whose errors name the property and its environment variable.
 */
public class Settings {

    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB)");

    private final String prefix;
    private final Map<String, String> values;

    /** @param values keys relative to {@code prefix} */
    public Settings(String prefix, Map<String, String> values) {
        this.prefix = prefix;
        this.values = Map.copyOf(values);
    }

    public String property(String key) {
        return prefix + key;
    }

    public String describe(String key) {
        return SettingNames.describe(property(key));
    }

    public boolean has(String key) {
        return optional(key).isPresent();
    }

    public Optional<String> optional(String key) {
        return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String required(String key) throws SettingException {
        return optional(key).orElseThrow(() -> new SettingException(describe(key) + " is not set"));
    }

    /** A comma-separated list, blanks dropped. */
    public List<String> list(String key) {
        return optional(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
    }

    /** A path that must exist and be a readable file when set. */
    public Optional<Path> existingFile(String key) throws SettingException {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(value.get());
        if (!Files.exists(path)) {
            throw new SettingException(describe(key) + ": " + path + " does not exist");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new SettingException(describe(key) + ": " + path + " is not a readable file");
        }
        return Optional.of(path);
    }

    /** A duration of at least {@code min}: a timeout of zero would mean waiting forever, which is never the intent. */
    public Duration duration(String key, Duration defaultValue, Duration min) throws SettingException {
        Duration duration = duration(key, defaultValue);
        if (duration.compareTo(min) < 0) {
            throw new SettingException(describe(key) + ": '" + optional(key).orElse("") + "' is less than the minimum " + Durations.format(min));
        }
        return duration;
    }

    /** A duration from {@code min} to {@code max}. */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) throws SettingException {
        Duration duration = duration(key, defaultValue, min);
        if (duration.compareTo(max) > 0) {
            throw new SettingException(describe(key) + ": '" + optional(key).orElse("") + "' is more than the maximum " + Durations.format(max));
        }
        return duration;
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
            throw new SettingException(describe(key) + ": " + e.getMessage());
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
            default -> throw new SettingException(describe(key) + ": '" + value.get() + "' is not true or false");
        };
    }

    public int port(String key, int defaultValue) throws SettingException {
        return bounded(key, defaultValue, 0, 65535, "is not a port (0-65535)");
    }

    public int integer(String key, int defaultValue, int min, int max) throws SettingException {
        return bounded(key, defaultValue, min, max, "is not a whole number from " + min + " to " + max);
    }

    private int bounded(String key, int defaultValue, int min, int max, String problem) throws SettingException {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int number = Integer.parseInt(value.get().trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // explained below
        }
        throw new SettingException(describe(key) + ": '" + value.get() + "' " + problem);
    }

    /** A size in bytes, written {@code 65536}, {@code 512KiB}, {@code 64MiB} or {@code 2GiB}, from {@code min} up. */
    public long bytes(String key, long defaultValue, long min) throws SettingException {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        java.util.regex.Matcher matcher = SIZE.matcher(value.get().trim());
        if (matcher.matches()) {
            long unit = switch (matcher.group(2)) {
                case "KiB" -> 1L << 10;
                case "MiB" -> 1L << 20;
                case "GiB" -> 1L << 30;
                default -> 1;
            };
            try {
                long size = Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
                if (size >= min) {
                    return size;
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // explained below
            }
        }
        throw new SettingException(describe(key) + ": '" + value.get() + "' is not a size of at least " + min
                + " bytes; write e.g. 65536, 512KiB, 64MiB or 2GiB");
    }

    /** One of {@code allowed} (lower-case), or the default when unset. */
    public String choice(String key, String defaultValue, String... allowed) throws SettingException {
        String value = optional(key).map(v -> v.toLowerCase(Locale.ROOT)).orElse(defaultValue);
        for (String candidate : allowed) {
            if (candidate.equals(value)) {
                return value;
            }
        }
        throw new SettingException(describe(key) + ": '" + value + "' is not one of " + String.join(", ", allowed));
    }
}
