package dev.crossgate.skywalking;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;

/**
 * The disk side of a {@link ReportBuffer}: an append-only log of reports and a marker of how far they are done
 * (delivered or dropped, always from the oldest). Writes happen in order on one thread of its own, never on an
 * event loop. A report counts as accepted once its bytes are written: that survives the gateway's restart or crash
 * (the kernel holds them); the log is also forced to the device every second, against a power loss.
 * <p>
 * Record: seq (8 bytes), method length (2), method (UTF-8), message length (4), message.
 */
final class ReportSpool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportSpool.class);
    private static final long TRUNCATE_ABOVE = 4L << 20;

    private final Path directory;
    private final Path log;
    private final Path marker;
    private final FileChannel channel;
    private final ScheduledExecutorService writer;
    private final List<ReportBuffer.Report> undelivered;
    private final long lastSeq;
    private volatile boolean dirty;

    private ReportSpool(Path directory, FileChannel channel, List<ReportBuffer.Report> undelivered, long lastSeq) {
        this.directory = directory;
        this.log = directory.resolve("reports.log");
        this.marker = directory.resolve("done");
        this.channel = channel;
        this.undelivered = undelivered;
        this.lastSeq = lastSeq;
        this.writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "crossgate-spool-" + directory.getFileName());
            thread.setDaemon(true);
            return thread;
        });
        writer.scheduleWithFixedDelay(this::force, 1, 1, TimeUnit.SECONDS);
    }

    /** Opens (or creates) the spool in {@code directory} and reads back what was not done before. */
    static ReportSpool open(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path log = directory.resolve("reports.log");
        Path marker = directory.resolve("done");
        long done = Files.exists(marker) ? Long.parseLong(Files.readString(marker).trim()) : 0;
        List<ReportBuffer.Report> undelivered = new ArrayList<>();
        long last = done;
        FileChannel channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE - 8));
        channel.read(bytes, 0);
        bytes.flip();
        long end = 0;
        while (bytes.remaining() >= 14) {
            int start = bytes.position();
            long seq = bytes.getLong();
            int methodLength = bytes.getShort() & 0xffff;
            if (bytes.remaining() < methodLength + 4) {
                bytes.position(start);
                break;
            }
            byte[] method = new byte[methodLength];
            bytes.get(method);
            int length = bytes.getInt();
            if (length < 0 || bytes.remaining() < length) {
                bytes.position(start);
                break;
            }
            byte[] message = new byte[length];
            bytes.get(message);
            end = bytes.position();
            last = Math.max(last, seq);
            if (seq > done) {
                undelivered.add(new ReportBuffer.Report(seq, new String(method, StandardCharsets.UTF_8), message));
            }
        }
        if (end < size) {
            // a record cut short by a crash mid-write: it was never acknowledged, so it goes
            LOG.warn("spool {} ends with {} bytes of an incomplete record; dropping them", log, size - end);
            channel.truncate(end);
        }
        channel.position(end);
        return new ReportSpool(directory, channel, undelivered, last);
    }

    Path directory() {
        return directory;
    }

    List<ReportBuffer.Report> undelivered() {
        return undelivered;
    }

    long lastSeq() {
        return lastSeq;
    }

    void append(ReportBuffer.Report report) {
        byte[] method = report.method().getBytes(StandardCharsets.UTF_8);
        ByteBuffer record = ByteBuffer.allocate(8 + 2 + method.length + 4 + report.message().length);
        record.putLong(report.seq()).putShort((short) method.length).put(method).putInt(report.message().length).put(report.message()).flip();
        writer.execute(() -> {
            try {
                while (record.hasRemaining()) {
                    channel.write(record);
                }
                dirty = true;
            } catch (IOException e) {
                LOG.error("spool {}: cannot write report {}; it is kept in memory only", log, report.seq(), e);
            }
        });
    }

    /** Completes when everything appended before it is written. */
    Mono<Void> barrier() {
        return Mono.fromFuture(CompletableFuture.runAsync(() -> { }, writer));
    }

    /** Everything up to {@code seq} is delivered or dropped; with nothing left waiting the log may start over. */
    void doneUpTo(long seq, boolean nothingWaits) {
        writer.execute(() -> {
            try {
                Path next = directory.resolve("done.next");
                Files.writeString(next, Long.toString(seq));
                try {
                    Files.move(next, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(next, marker, StandardCopyOption.REPLACE_EXISTING);
                }
                if (nothingWaits && channel.size() > TRUNCATE_ABOVE) {
                    channel.truncate(0);
                    channel.position(0);
                }
            } catch (IOException e) {
                // the reports were delivered; after a restart they would be delivered again, which at-least-once allows
                LOG.error("spool {}: cannot record reports up to {} as done; a restart would send them again", directory, seq, e);
            }
        });
    }

    private void force() {
        if (dirty) {
            dirty = false;
            try {
                channel.force(false);
            } catch (IOException e) {
                LOG.warn("spool {}: cannot force to disk: {}", log, e.toString());
            }
        }
    }

    @Override
    public void close() {
        writer.execute(this::force);
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
            channel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("spool {}: closing failed: {}", log, e.toString());
        }
    }
}
