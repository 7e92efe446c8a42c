package dev.crossgate.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients repeating one request in parallel while something rotates underneath them, until stopped: each makes
 * at least {@code minimum} and at most {@code maximum} requests. A request succeeded when curl exits 0 and the
 * status code it prints last is 200.
 */
final class ClientLoad {

    record Outcome(int ok, int failed) {
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads;
    private final List<Future<Outcome>> clients = new ArrayList<>();

    ClientLoad(int count, int minimum, int maximum, Callable<Processes.Result> request) {
        threads = Executors.newFixedThreadPool(count);
        for (int i = 0; i < count; i++) {
            clients.add(threads.submit(() -> {
                int ok = 0;
                int failed = 0;
                for (int n = 0; n < maximum && (running.get() || n < minimum); n++) {
                    Processes.Result result = request.call();
                    if (result.exitCode() == 0 && result.output().endsWith("\n200")) {
                        ok++;
                    } else {
                        failed++;
                        System.err.println("failed request: " + result.output());
                    }
                }
                return new Outcome(ok, failed);
            }));
        }
    }

    /** Stops the clients after their request in flight and adds up what they saw. */
    Outcome stop() throws Exception {
        running.set(false);
        int ok = 0;
        int failed = 0;
        for (Future<Outcome> client : clients) {
            Outcome outcome = client.get(120, TimeUnit.SECONDS);
            ok += outcome.ok();
            failed += outcome.failed();
        }
        threads.shutdown();
        return new Outcome(ok, failed);
    }
}
