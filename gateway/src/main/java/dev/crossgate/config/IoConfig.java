package dev.crossgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.crossgate.certsource.Durations;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.Settings;

/** {@code crossgate.io.*}: the event loops every listener, connector and the admin port share. */
public record IoConfig(int threads, BusyPoll busyPoll) {

    public static final String PREFIX = "crossgate.io.";
    public static final List<String> KEYS = List.of("threads", "busy-poll");
    /**
     * A loop that polls does not see tasks other threads hand it (the timer a rotation sets for retiring older
     * connections, a shutdown) until it stops polling: a millisecond is the longest delay that should cost.
     */
    public static final Duration MAX_BUSY_POLL = Duration.ofMillis(1);

    /**
     * How long a loop that has run out of work polls its sockets before it sleeps, and whether only while that pays
     * ({@code auto}: the loop busy at least half the time, for a window that follows the gaps it sees up to this one)
     * or every time (a duration).
     */
    public record BusyPoll(Duration window, boolean adaptive) {

        public static final BusyPoll OFF = new BusyPoll(Duration.ZERO, false);
        /** The cap of Linux's haltpoll governor; by hand in bench/ s2's ECDSA handshakes 200us caught gaps 50us let pass. */
        public static final BusyPoll AUTO = new BusyPoll(Duration.ofNanos(200_000), true);

        public boolean off() {
            return window.isZero();
        }

        /** What the start log says of each loop's waiting. */
        public String describe() {
            if (off()) {
                return "";
            }
            return adaptive ? ", each polling before it sleeps while it is busy, for a window that follows its gaps up to "
                    + Durations.format(window) + " (crossgate.io.busy-poll=auto)"
                    : ", each polling for " + Durations.format(window) + " before it sleeps (crossgate.io.busy-poll)";
        }

        static BusyPoll from(Settings settings, String key) throws SettingException {
            String value = settings.optional(key).orElse("auto");
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "off", "0" -> OFF;
                default -> {
                    try {
                        yield new BusyPoll(settings.duration(key, Duration.ZERO, Duration.ZERO, MAX_BUSY_POLL), false);
                    } catch (SettingException e) {
                        throw new SettingException(settings.describe(key) + ": '" + value + "' is not auto, off or a duration up to "
                                + Durations.format(MAX_BUSY_POLL) + " (50us, say)");
                    }
                }
            };
        }
    }

    /**
     * One event loop per core the process may use: more loops than cores only add context switches and cross-thread
     * wake-ups between a client's connection and its backend's (measured in bench/: 18k -> 26k requests/s on one core).
     */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static IoConfig defaults() {
        return new IoConfig(defaultThreads(), BusyPoll.AUTO);
    }

    static IoConfig from(Settings settings) throws SettingException {
        return new IoConfig(settings.integer("threads", defaultThreads(), 1, 1024), BusyPoll.from(settings, "busy-poll"));
    }
}
