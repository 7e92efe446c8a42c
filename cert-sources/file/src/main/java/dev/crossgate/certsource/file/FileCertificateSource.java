package dev.crossgate.certsource.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

import dev.crossgate.certsource.MaterialStreamSource;
import dev.crossgate.tls.MaterialValidator;

/** TLS material from PEM or DER files, reloaded whenever the files change. */
public final class FileCertificateSource extends MaterialStreamSource {

    public static final String TYPE = "file";

    private final FileSourceSpec spec;
    private final FileReloadLoop loop;
    private Thread thread;

    public FileCertificateSource(FileSourceSpec spec, MaterialValidator validator, Clock clock) {
        super(spec.name(), TYPE, clock);
        this.spec = spec;
        try {
            this.loop = new FileReloadLoop(spec, new FileMaterialLoader(spec, validator, clock), stream, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file watch service for source " + spec.name(), e);
        }
    }

    public FileSourceSpec spec() {
        return spec;
    }

    /** Loads the files once on the caller's thread (a bad pair is reported at start), then watches them on a thread of its own. */
    @Override
    protected void begin() {
        loop.loadNow();
        thread = new Thread(loop, "crossgate-file-source-" + spec.name());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void end() {
        loop.stop();
        if (thread != null) {
            thread.interrupt();
        }
    }
}
