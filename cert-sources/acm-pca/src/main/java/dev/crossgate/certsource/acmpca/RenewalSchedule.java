package dev.crossgate.certsource.acmpca;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When to renew, and how long to wait after a failure. Pure arithmetic, so the tests can pin the random draws.
 *
 * @param renewAt    fraction of the lifetime after which to renew
 * @param renewEvery renew at least this often after an issue
 */
record RenewalSchedule(double renewAt, Optional<Duration> renewEvery, Duration retryInitialDelay, Duration retryMaxDelay) {

    /** A fleet started together spreads its renewals over this share of the lifetime either side of renew-at. */
    static final double JITTER = 0.05;
    /** Never sooner than this after an issue, whatever the numbers say: no tight loop on a CA that issues already-old certificates. */
    static final Duration SOONEST = Duration.ofSeconds(1);

    RenewalSchedule(AcmPcaSourceSpec spec) {
        this(spec.renewAt(), spec.renewEvery(), spec.retryInitialDelay(), spec.retryMaxDelay());
    }

    /**
     * @param draw a uniform random number in [0, 1) that places the renewal within the jitter
     */
    Instant renewal(Instant notBefore, Instant notAfter, Instant issuedAt, double draw) {
        Duration lifetime = Duration.between(notBefore, notAfter);
        double fraction = renewAt + (2 * draw - 1) * JITTER;
        Instant byLifetime = notBefore.plusMillis((long) (lifetime.toMillis() * fraction));
        Instant renewal = renewEvery
                .map(every -> issuedAt.plusMillis((long) (every.toMillis() * (1 + (2 * draw - 1) * JITTER))))
                .filter(byInterval -> byInterval.isBefore(byLifetime))
                .orElse(byLifetime);
        Instant soonest = issuedAt.plus(SOONEST);
        return renewal.isBefore(soonest) ? soonest : renewal;
    }

    /**
     * Exponential back-off with jitter after {@code failures} failed attempts in a row (1 for the first): the
     * initial delay doubling up to the maximum, then a random point in the upper half of that.
     */
    Duration retryDelay(int failures, double draw) {
        Duration ceiling = retryInitialDelay;
        for (int i = 1; i < failures && ceiling.compareTo(retryMaxDelay) < 0; i++) {
            ceiling = ceiling.multipliedBy(2);
        }
        if (ceiling.compareTo(retryMaxDelay) > 0) {
            ceiling = retryMaxDelay;
        }
        return Duration.ofMillis((long) (ceiling.toMillis() * (0.5 + draw / 2)));
    }
}
