package dev.crossgate.certsource;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import dev.crossgate.tls.MaterialValidator;

/**
 * The settings of one source, {@code crossgate.certs.<name>.*}.
 */
public final class SourceSettings extends Settings {

    public static final String PREFIX = "crossgate.certs.";
    public static final String SOURCE = "source";
    public static final String EXPIRY_WARNING = "expiry-warning";
    public static final String VERIFY_CHAIN = "verify-chain";
    public static final String READINESS_MARGIN = "readiness-margin";
    /** Keys every source type understands. */
    public static final Set<String> COMMON_KEYS = Set.of(SOURCE, EXPIRY_WARNING, VERIFY_CHAIN, READINESS_MARGIN);
    public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofDays(14);
    public static final Duration DEFAULT_READINESS_MARGIN = Duration.ofMinutes(5);

    private final String name;
    private final Clock clock;

    /** @param values keys relative to {@code crossgate.certs.<name>.}, e.g. {@code cert-path} */
    public SourceSettings(String name, Map<String, String> values, Clock clock) {
        super(PREFIX + name + ".", values);
        this.name = name;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    public Clock clock() {
        return clock;
    }

    /** The validator every source of this name uses, from the common keys. */
    public MaterialValidator validator() throws SettingException {
        return validator(DEFAULT_EXPIRY_WARNING);
    }

    /** Readiness turns false when the certificate served expires within this: renewal has failed for too long. */
    public Duration readinessMargin() throws SettingException {
        return duration(READINESS_MARGIN, DEFAULT_READINESS_MARGIN);
    }

    /** As {@link #validator()}, for a source whose certificates live shorter than the usual expiry warning. */
    public MaterialValidator validator(Duration defaultExpiryWarning) throws SettingException {
        return new MaterialValidator(clock, duration(EXPIRY_WARNING, defaultExpiryWarning), bool(VERIFY_CHAIN, true));
    }
}
