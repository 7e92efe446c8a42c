package dev.crossgate.config;

import java.time.Duration;
import java.util.List;

import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.Settings;

/** {@code crossgate.io.*}: the event loops every listener, connector and the admin port share. */
public record IoConfig(int threads, Duration busyPoll) {

    public static final String PREFIX = "crossgate.io.";
    public static final List<String> KEYS = List.of("threads", "busy-poll");
    /**
     * A loop that polls does not see tasks other threads hand it (the timer a rotation sets for retiring older
     * connections, a shutdown) until it stops polling: a millisecond is the longest delay that should cost.
     */
    public static final Duration MAX_BUSY_POLL = Duration.ofMillis(1);

    /**
     * One event loop per core the process may use: more loops than cores only add context switches and cross-thread
     * wake-ups between a client's connection and its backend's (measured in bench/: 18k -> 26k requests/s on one core).
     */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static IoConfig defaults() {
        return new IoConfig(defaultThreads(), Duration.ZERO);
    }

    static IoConfig from(Settings settings) throws SettingException {
        return new IoConfig(settings.integer("threads", defaultThreads(), 1, 1024),
                settings.duration("busy-poll", Duration.ZERO, Duration.ZERO, MAX_BUSY_POLL));
    }
}
