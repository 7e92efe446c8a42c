package dev.crossgate.skywalking;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ListenerConfig;

class ReportBufferTest {

    private static final String TRACES = "skywalking.v3.TraceSegmentReportService/collect";
    private static final String METRICS = "skywalking.v3.JVMMetricReportService/collect";

    @TempDir
    Path dir;

    private final Stats stats = new Stats();

    @Test
    void overTheBoundTheOldestGoAndEveryDropIsCounted() throws Exception {
        try (ReportBuffer buffer = new ReportBuffer("agents", memory(1000, ListenerConfig.StoreAndForward.Overflow.DROP_OLDEST), stats)) {
            for (int i = 0; i < 25; i++) {
                assertThat(buffer.add(TRACES, message(i, 100))).isTrue();
            }
            assertThat(buffer.waitingBytes()).isEqualTo(1000);
            assertThat(buffer.waitingCount()).isEqualTo(10);
            assertThat(stats.snapshot()).containsEntry("listener.agents.store_and_forward.dropped", 15L)
                    .containsEntry("listener.agents.store_and_forward.accepted", 25L);
            assertThat(buffer.batch(100, 1 << 20).get(0).message()[0]).as("the oldest left is the 16th").isEqualTo((byte) 15);
        }
    }

    @Test
    void dropNewestKeepsWhatWaitsAndRefusesTheArrival() throws Exception {
        try (ReportBuffer buffer = new ReportBuffer("agents", memory(1000, ListenerConfig.StoreAndForward.Overflow.DROP_NEWEST), stats)) {
            for (int i = 0; i < 12; i++) {
                assertThat(buffer.add(TRACES, message(i, 100))).isEqualTo(i < 10);
            }
            assertThat(buffer.batch(100, 1 << 20).get(0).message()[0]).isEqualTo((byte) 0);
            assertThat(stats.snapshot()).containsEntry("listener.agents.store_and_forward.dropped", 2L);
        }
    }

    @Test
    void batchesKeepOrderAndOneMethodAndGoOnlyWhenDelivered() throws Exception {
        try (ReportBuffer buffer = new ReportBuffer("agents", memory(1 << 20, ListenerConfig.StoreAndForward.Overflow.DROP_OLDEST), stats)) {
            buffer.add(TRACES, message(1, 10));
            buffer.add(TRACES, message(2, 10));
            buffer.add(METRICS, message(3, 10));
            List<ReportBuffer.Report> first = buffer.batch(100, 1 << 20);
            assertThat(first).extracting(r -> r.message()[0]).containsExactly((byte) 1, (byte) 2);
            assertThat(buffer.batch(100, 1 << 20)).as("not removed until delivered").isEqualTo(first);
            buffer.delivered(first);
            assertThat(buffer.batch(100, 1 << 20)).extracting(ReportBuffer.Report::method).containsExactly(METRICS);
            assertThat(stats.snapshot()).containsEntry("listener.agents.store_and_forward.delivered", 2L);
        }
    }

    @Test
    void theDiskSpoolReplaysWhatWasNotDeliveredAfterARestartAndDropsATornRecord() throws Exception {
        ListenerConfig.StoreAndForward disk = new ListenerConfig.StoreAndForward(ListenerConfig.StoreAndForward.Mode.DISK, 1 << 20,
                ListenerConfig.StoreAndForward.Overflow.DROP_OLDEST, dir);
        try (ReportBuffer buffer = new ReportBuffer("agents", disk, stats)) {
            for (int i = 0; i < 5; i++) {
                buffer.add(TRACES, message(i, 50));
            }
            buffer.durable().block();
            buffer.delivered(buffer.batch(2, 1 << 20));
        }
        // a crash in the middle of writing one more record
        Files.write(dir.resolve("agents/reports.log"), new byte[] {0, 0, 0, 0, 0, 0, 0, 9, 0, 4}, StandardOpenOption.APPEND);

        try (ReportBuffer restarted = new ReportBuffer("agents", disk, new Stats())) {
            List<ReportBuffer.Report> replayed = restarted.batch(100, 1 << 20);
            assertThat(replayed).extracting(r -> r.message()[0]).containsExactly((byte) 2, (byte) 3, (byte) 4);
            assertThat(replayed).extracting(ReportBuffer.Report::method).containsOnly(TRACES);
            restarted.add(METRICS, message(9, 50));
            restarted.durable().block();
            assertThat(restarted.batch(100, 1 << 20)).as("numbering goes on after the last record kept").extracting(ReportBuffer.Report::seq).containsExactly(3L, 4L, 5L);
            restarted.delivered(restarted.batch(100, 1 << 20));
            assertThat(restarted.batch(100, 1 << 20)).extracting(ReportBuffer.Report::seq).containsExactly(6L);
        }
        try (ReportBuffer again = new ReportBuffer("agents", disk, new Stats())) {
            assertThat(again.batch(100, 1 << 20)).extracting(r -> r.message()[0]).containsExactly((byte) 9);
        }
    }

    private static ListenerConfig.StoreAndForward memory(long maxBytes, ListenerConfig.StoreAndForward.Overflow overflow) {
        return new ListenerConfig.StoreAndForward(ListenerConfig.StoreAndForward.Mode.MEMORY, maxBytes, overflow, null);
    }

    private static byte[] message(int id, int size) {
        byte[] message = new byte[size];
        message[0] = (byte) id;
        return message;
    }
}
