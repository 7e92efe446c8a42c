package dev.crossgate.certsource.file;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.certsource.MaterialStream;
import dev.crossgate.tls.MaterialException;

/**
 * Watches the directories that hold the files, not the files: an atomic rename and the Kubernetes
 * Secret-volume update (a new {@code ..data} symlink renamed over the old one) replace directory
 * entries, and a watch on the old file would see neither, nor any swap after the first.
 * Events are debounced; the files are also re-read every poll interval for file systems without events.
 * A pair that does not fit together is given the settle timeout to finish its rotation before it is refused.
 */
final class FileReloadLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(FileReloadLoop.class);
    private static final Duration SETTLE_RETRY = Duration.ofMillis(200);

    private final FileSourceSpec spec;
    private final FileMaterialLoader loader;
    private final MaterialStream stream;
    private final Clock clock;
    private final WatchService watcher;
    private final Map<Path, WatchKey> watched = new HashMap<>();

    private String settledDigest;
    private Instant unsettledSince;
    private volatile boolean running = true;

    FileReloadLoop(FileSourceSpec spec, FileMaterialLoader loader, MaterialStream stream, Clock clock) throws IOException {
        this.spec = spec;
        this.loader = loader;
        this.stream = stream;
        this.clock = clock;
        this.watcher = FileSystems.getDefault().newWatchService();
    }

    /** The first load, on the caller's thread: at start-up a bad pair is reported at once, not after the settle time. */
    void loadNow() {
        watchDirectories();
        attempt(false);
    }

    @Override
    public void run() {
        try {
            while (running) {
                Duration wait = unsettledSince != null ? SETTLE_RETRY : spec.pollInterval().isZero() ? Duration.ofDays(1) : spec.pollInterval();
                WatchKey key = watcher.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    drain(key);
                    while ((key = watcher.poll(Math.max(1, spec.debounce().toMillis()), TimeUnit.MILLISECONDS)) != null) {
                        drain(key);
                    }
                }
                if (running) {
                    watchDirectories();
                    attempt(true);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("source={} the file watch loop stopped unexpectedly; certificates will no longer reload", spec.name(), e);
        }
    }

    void stop() {
        running = false;
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.debug("source={} closing the watch service failed", spec.name(), e);
        }
    }

    private void attempt(boolean allowSettling) {
        FileMaterialLoader.Snapshot snapshot = null;
        try {
            snapshot = loader.read();
            if (snapshot.digest().equals(settledDigest) && unsettledSince == null) {
                return;
            }
            var result = loader.load(snapshot);
            stream.accept(result.material(), result.warnings());
            settled(snapshot.digest());
        } catch (MaterialException e) {
            Instant now = clock.instant();
            if (allowSettling && e.mayBeMidRotation()) {
                if (unsettledSince == null) {
                    unsettledSince = now;
                }
                if (Duration.between(unsettledSince, now).compareTo(spec.settleTimeout()) < 0) {
                    LOG.debug("source={} files not settled yet ({}), looking again shortly", spec.name(), e.getMessage());
                    return;
                }
            }
            stream.reject(e);
            settled(snapshot == null ? null : snapshot.digest());
        } finally {
            FileMaterialLoader.wipe(snapshot);
        }
    }

    private void settled(String digest) {
        settledDigest = digest;
        unsettledSince = null;
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /** (Re-)registers every directory involved; a directory that was deleted and re-created is watched again. */
    private void watchDirectories() {
        Set<Path> directories = new LinkedHashSet<>();
        spec.paths().forEach(path -> {
            Path absolute = path.toAbsolutePath();
            directories.add(absolute.getParent());
            try {
                Path real = absolute.toRealPath();
                if (!real.startsWith(absolute.getParent())) {
                    directories.add(real.getParent()); // a symlink to a file kept elsewhere
                }
            } catch (IOException e) {
                // not there at the moment; the next attempt explains it
            }
        });
        watched.values().removeIf(key -> !key.isValid());
        for (Path directory : directories) {
            if (!watched.containsKey(directory) && Files.isDirectory(directory)) {
                try {
                    watched.put(directory, directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
                } catch (IOException | ClosedWatchServiceException e) {
                    LOG.warn("source={} cannot watch {} ({}); changes will be found by polling every {}", spec.name(), directory, e,
                            spec.pollInterval());
                }
            }
        }
    }
}
