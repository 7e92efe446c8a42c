package dev.crossgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.channel.SelectStrategy;

import dev.crossgate.config.IoConfig.BusyPoll;

class BusyPollStrategyTest {

    private static final int NEVER = Integer.MAX_VALUE;
    private static final long MICROS = 1_000;

    /** What the strategy decided when a loop ran out of work, and how often it polled its sockets to decide. */
    private record Waited(int strategy, int polls) {
        boolean polled() {
            return polls > 0;
        }
    }

    /**
     * A loop's time as the test moves it: each poll of its sockets takes a microsecond of the thread's time, and its
     * work the wall and CPU time each step gives.
     */
    private static final class Loop {
        private long wall;
        private long cpu;
        private final BusyPollStrategy.Counts counts = new BusyPollStrategy.Counts();
        private final BusyPollStrategy strategy;

        Loop(BusyPoll poll) {
            strategy = new BusyPollStrategy(poll, counts, () -> wall, () -> cpu);
        }

        /** Out of work with tasks waiting or not; the sockets have 2 events from poll {@code readyAt} of this wait. */
        Waited outOfWork(boolean hasTasks, int readyAt) throws Exception {
            int[] polls = {0};
            int strategy = this.strategy.calculateStrategy(() -> {
                wall += MICROS;
                cpu += MICROS;
                return ++polls[0] >= readyAt ? 2 : 0;
            }, hasTasks);
            return new Waited(strategy, polls[0]);
        }

        /** Work then running out of it, for {@code steps} steps; what each wait decided. */
        List<Waited> run(int steps, long workWall, long workCpu, int readyAt) throws Exception {
            return run(steps, workWall, workCpu, readyAt, 0);
        }

        /**
         * As {@link #run(int, long, long, int)}, but the work comes {@code gap} after the loop ran out of it: a poll
         * catches it once the poll is that long, else the loop sleeps out the rest.
         */
        List<Waited> run(int steps, long workWall, long workCpu, int readyAt, long gap) throws Exception {
            List<Waited> waits = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                wall += workWall;
                cpu += workCpu;
                Waited waited = outOfWork(false, gap > 0 ? (int) (gap / MICROS) : readyAt);
                if (waited.strategy() == SelectStrategy.SELECT && gap > 0) {
                    wall += Math.max(0, gap - waited.polls() * MICROS);
                }
                waits.add(waited);
            }
            return waits;
        }
    }

    private static final BusyPoll FIXED = new BusyPoll(Duration.ofNanos(20 * MICROS), false);

    @Test
    void aFixedWindowReturnsTheWorkThatArrivesWhileItPollsAndCountsTheCatch() throws Exception {
        Loop loop = new Loop(FIXED);
        assertThat(loop.outOfWork(false, 3)).isEqualTo(new Waited(2, 3));
        assertThat(loop.outOfWork(false, 1)).as("work already there is no catch").isEqualTo(new Waited(2, 1));
        assertThat(List.of(loop.counts.caught.sum(), loop.counts.missed.sum(), loop.counts.pollingNanos.sum())).containsExactly(1L, 0L, 3 * MICROS);
    }

    @Test
    void aFixedWindowSleepsWhenNothingArrivesWithinItAndCountsTheMiss() throws Exception {
        Loop loop = new Loop(FIXED);
        assertThat(loop.outOfWork(false, NEVER)).isEqualTo(new Waited(SelectStrategy.SELECT, 20));
        assertThat(List.of(loop.counts.caught.sum(), loop.counts.missed.sum(), loop.counts.pollingNanos.sum())).containsExactly(0L, 1L, 20 * MICROS);
    }

    @Test
    void noLoopPollsWhileTasksWait() throws Exception {
        assertThat(new Loop(FIXED).outOfWork(true, NEVER)).isEqualTo(new Waited(0, 1));
        assertThat(new Loop(BusyPoll.AUTO).outOfWork(true, NEVER)).isEqualTo(new Waited(0, 1));
    }

    @Test
    void anAdaptiveLoopThatIsLightlyLoadedSleepsAtOnceAsNettysDoes() throws Exception {
        Loop loop = new Loop(BusyPoll.AUTO);
        // 40 % busy for 100 ms: work that would come within a poll never makes it poll
        assertThat(loop.run(1000, 100 * MICROS, 40 * MICROS, 2)).allSatisfy(waited -> assertThat(waited).isEqualTo(new Waited(SelectStrategy.SELECT, 0)));
    }

    @Test
    void anAdaptiveLoopPollsFromItsFirstBusyPeriodAndCatchesWhatComes() throws Exception {
        Loop loop = new Loop(BusyPoll.AUTO);
        List<Waited> waits = loop.run(300, 100 * MICROS, 80 * MICROS, 5);
        int period = (int) (BusyPollStrategy.PERIOD_NANOS / (100 * MICROS));
        assertThat(waits.subList(0, period)).as("its first period is being measured").noneMatch(Waited::polled);
        assertThat(waits.subList(period + 1, waits.size())).allSatisfy(waited -> assertThat(waited).isEqualTo(new Waited(2, 5)));
    }

    @Test
    void anAdaptiveLoopWidensItsWindowToTheCapForGapsThatFitUnderIt() throws Exception {
        Loop loop = new Loop(BusyPoll.AUTO);
        loop.run(101, 100 * MICROS, 90 * MICROS, 2);
        // from here work comes 120 us after the loop runs out of it: 50 us polls miss, 100 us ones too, then they catch
        List<Waited> waits = loop.run(4, 100 * MICROS, 90 * MICROS, 0, 120 * MICROS);
        assertThat(waits).extracting(Waited::polls).containsExactly(50, 100, 120, 120);
        assertThat(waits.subList(2, 4)).allSatisfy(waited -> assertThat(waited.strategy()).isEqualTo(2));
    }

    @Test
    void anAdaptiveLoopHalvesItsWindowWhileGapsAreLongerThanTheCapAndGrowsItBackWhenTheyAreNot() throws Exception {
        Loop loop = new Loop(BusyPoll.AUTO);
        loop.run(101, 100 * MICROS, 90 * MICROS, 2);
        List<Waited> longGaps = loop.run(8, 1000 * MICROS, 900 * MICROS, 0, 300 * MICROS);
        assertThat(longGaps).extracting(Waited::polls).containsExactly(50, 25, 13, 7, 4, 2, 2, 2);
        assertThat(longGaps).allSatisfy(waited -> assertThat(waited.strategy()).isEqualTo(SelectStrategy.SELECT));
        // one gap a longer poll would have caught brings the window back to 50 us at once
        assertThat(loop.run(3, 100 * MICROS, 90 * MICROS, 0, 30 * MICROS)).extracting(Waited::polls).containsExactly(2, 30, 30);
    }

    @Test
    void anAdaptiveLoopDoesNotCountItsPollsAsWork() throws Exception {
        Loop loop = new Loop(BusyPoll.AUTO);
        assertThat(loop.run(200, 100 * MICROS, 80 * MICROS, 30).get(199).polled()).isTrue();
        // from here the loop works 10 % of the time and polls 30 us of every 40: busy only by its polls
        List<Waited> waits = loop.run(1000, 10 * MICROS, MICROS, 30);
        assertThat(waits.subList(500, 1000)).noneMatch(Waited::polled);
    }

    /** Where the JVM cannot tell a thread's CPU time the clock reads 0 throughout. */
    @Test
    void anAdaptiveLoopWhoseThreadsCpuTimeIsUnknownNeverPolls() throws Exception {
        long[] wall = {0};
        int[] polls = {0};
        BusyPollStrategy strategy = new BusyPollStrategy(BusyPoll.AUTO, new BusyPollStrategy.Counts(), () -> wall[0], () -> 0);
        for (int i = 0; i < 1000; i++) {
            wall[0] += 100 * MICROS;
            assertThat(strategy.calculateStrategy(() -> ++polls[0], false)).isEqualTo(SelectStrategy.SELECT);
        }
        assertThat(polls[0]).isZero();
    }
}
