package dev.crossgate.certsource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesWhatUsersWrite() {
        assertThat(Durations.parse("50us")).isEqualTo(Duration.ofNanos(50_000));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 10s ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("14d")).isEqualTo(Duration.ofDays(14));
        assertThat(Durations.parse("pt1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> Durations.parse("ten seconds")).hasMessageContaining("'ten seconds' is not a duration");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d")).hasMessageContaining("is longer than any duration");
        assertThatThrownBy(() -> Durations.parse("9999999999999999us")).hasMessageContaining("is longer than any duration");
    }

    @Test
    void formatsTheWayItParses() {
        assertThat(Durations.format(Duration.ofNanos(50_000))).isEqualTo("50us");
        assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1500us");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(Duration.ofSeconds(270))).isEqualTo("4m30s");
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofDays(14).plusMinutes(1))).isEqualTo("14d1m");
        for (String text : new String[] {"50us", "250ms", "2h", "14d"}) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
    }
}
