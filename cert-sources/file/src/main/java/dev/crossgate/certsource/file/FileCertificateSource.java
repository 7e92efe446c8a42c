package dev.crossgate.certsource.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.MaterialStream;
import dev.crossgate.certsource.SourceCounters;
import dev.crossgate.tls.MaterialValidator;
import dev.crossgate.tls.TlsMaterial;
import reactor.core.publisher.Flux;

/** TLS material from PEM or DER files, reloaded whenever the files change. */
public final class FileCertificateSource implements CertificateSource {

    public static final String TYPE = "file";

    private final FileSourceSpec spec;
    private final MaterialStream stream;
    private final FileReloadLoop loop;
    private Thread thread;

    public FileCertificateSource(FileSourceSpec spec, MaterialValidator validator, Clock clock) {
        this.spec = spec;
        this.stream = new MaterialStream(spec.name(), clock);
        try {
            this.loop = new FileReloadLoop(spec, new FileMaterialLoader(spec, validator), stream, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file watch service for source " + spec.name(), e);
        }
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Flux<TlsMaterial> material() {
        return stream.flux();
    }

    @Override
    public Optional<TlsMaterial> current() {
        return stream.current();
    }

    @Override
    public SourceCounters counters() {
        return stream.counters();
    }

    public FileSourceSpec spec() {
        return spec;
    }

    @Override
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        loop.loadNow();
        thread = new Thread(loop, "crossgate-file-source-" + spec.name());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void close() {
        loop.stop();
        if (thread != null) {
            thread.interrupt();
        }
        stream.complete();
    }
}
