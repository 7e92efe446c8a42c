package dev.crossgate.certsource.acmpca;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class RenewalScheduleTest {

    private static final Instant ISSUED = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant EXPIRES = ISSUED.plus(Duration.ofDays(30));
    private final RenewalSchedule schedule = new RenewalSchedule(2.0 / 3.0, Optional.empty(), Duration.ofSeconds(1), Duration.ofMinutes(5));

    @Test
    void renewsAtTheConfiguredShareOfTheLifetime() {
        assertThat(schedule.renewal(ISSUED, EXPIRES, ISSUED, 0.5)).isEqualTo(ISSUED.plus(Duration.ofDays(20)));
    }

    @Test
    void jitterSpreadsAFleetOverTenPercentOfTheLifetime() {
        Instant earliest = schedule.renewal(ISSUED, EXPIRES, ISSUED, 0.0);
        Instant latest = schedule.renewal(ISSUED, EXPIRES, ISSUED, 0.999999);
        assertThat(Duration.between(ISSUED, earliest)).isEqualTo(Duration.ofMillis((long) (Duration.ofDays(30).toMillis() * (2.0 / 3 - 0.05))));
        assertThat(Duration.between(earliest, latest).toHours()).isEqualTo(Duration.ofDays(3).toHours() - 1);
        assertThat(latest).isBefore(EXPIRES);
    }

    @Test
    void renewEveryWinsWhenItComesFirst() {
        RenewalSchedule hourly = new RenewalSchedule(2.0 / 3.0, Optional.of(Duration.ofHours(1)), Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(hourly.renewal(ISSUED, EXPIRES, ISSUED, 0.5)).isEqualTo(ISSUED.plus(Duration.ofHours(1)));
        RenewalSchedule yearly = new RenewalSchedule(2.0 / 3.0, Optional.of(Duration.ofDays(365)), Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(yearly.renewal(ISSUED, EXPIRES, ISSUED, 0.5)).isEqualTo(ISSUED.plus(Duration.ofDays(20)));
    }

    @Test
    void neverSoonerThanASecondAfterAnIssueEvenForACertificateIssuedHalfSpent() {
        Instant backdated = ISSUED.minus(Duration.ofDays(90));
        assertThat(schedule.renewal(backdated, ISSUED.plus(Duration.ofDays(1)), ISSUED, 0.5)).isEqualTo(ISSUED.plus(Duration.ofSeconds(1)));
    }

    @Test
    void retriesBackOffExponentiallyWithJitterUpToTheMaximum() {
        assertThat(schedule.retryDelay(1, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(schedule.retryDelay(1, 0.999)).isBetween(Duration.ofMillis(990), Duration.ofSeconds(1));
        assertThat(schedule.retryDelay(2, 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.retryDelay(4, 0.0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(schedule.retryDelay(30, 0.0)).isEqualTo(Duration.ofSeconds(150));
        assertThat(schedule.retryDelay(Integer.MAX_VALUE, 0.999)).isBetween(Duration.ofSeconds(299), Duration.ofMinutes(5));
    }
}
