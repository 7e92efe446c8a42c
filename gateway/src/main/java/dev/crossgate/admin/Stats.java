package dev.crossgate.admin;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Named counters and gauges in Envoy's naming ({@code listener.edge.ssl.handshake}). Counters are
 * {@link LongAdder}s: incrementing one from an event loop takes no lock. Look a counter up once and
 * keep it; the map is only for registration and for {@code /stats}.
 */
public final class Stats {

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    public LongAdder counter(String name) {
        return counters.computeIfAbsent(name, n -> new LongAdder());
    }

    public void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
    }

    /** Counters and gauges by name, sorted, as {@code /stats} prints them. */
    public SortedMap<String, Long> snapshot() {
        SortedMap<String, Long> all = new TreeMap<>();
        counters.forEach((name, counter) -> all.put(name, counter.sum()));
        gauges.forEach((name, gauge) -> all.put(name, gauge.getAsLong()));
        return all;
    }

    public boolean isGauge(String name) {
        return gauges.containsKey(name);
    }
}
