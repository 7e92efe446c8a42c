package dev.crossgate.certsource;

import java.time.Clock;
import java.util.Optional;

import dev.crossgate.tls.TlsMaterial;
import reactor.core.publisher.Flux;

/**
 * What every source shares: its name and type, a {@link MaterialStream} that hands out, replays and counts its
 * material, and starting once and closing. A source adds how it obtains material, and when.
 */
public abstract class MaterialStreamSource implements CertificateSource {

    private final String name;
    private final String type;
    protected final MaterialStream stream;
    private boolean started;

    protected MaterialStreamSource(String name, String type, Clock clock) {
        this.name = name;
        this.type = type;
        this.stream = new MaterialStream(name, clock);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Flux<TlsMaterial> material() {
        return stream.flux();
    }

    @Override
    public final Optional<TlsMaterial> current() {
        return stream.current();
    }

    @Override
    public final SourceCounters counters() {
        return stream.counters();
    }

    @Override
    public final synchronized void start() {
        if (!started) {
            started = true;
            begin();
        }
    }

    @Override
    public final synchronized void close() {
        end();
        stream.complete();
    }

    /** Starts obtaining material; called once. Returns at once or after a first attempt, as suits the source. */
    protected abstract void begin();

    /** Stops obtaining material and frees what the source holds; the stream is completed afterwards. */
    protected abstract void end();
}
