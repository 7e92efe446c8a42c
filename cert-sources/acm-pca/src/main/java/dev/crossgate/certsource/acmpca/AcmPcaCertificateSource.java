package dev.crossgate.certsource.acmpca;

import java.time.Clock;
import java.util.Optional;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.MaterialStream;
import dev.crossgate.certsource.SourceCounters;
import dev.crossgate.tls.MaterialValidator;
import dev.crossgate.tls.TlsMaterial;
import reactor.core.publisher.Flux;

/** Certificates issued by AWS ACM Private CA for a key generated in this process, renewed before they expire. */
public final class AcmPcaCertificateSource implements CertificateSource {

    public static final String TYPE = "acm-pca";

    private final AcmPcaSourceSpec spec;
    private final PrivateCaClient client;
    private final MaterialStream stream;
    private final AcmPcaRenewalLoop loop;
    private boolean started;

    AcmPcaCertificateSource(AcmPcaSourceSpec spec, PrivateCaClient client, MaterialValidator validator, Clock clock) {
        this.spec = spec;
        this.client = client;
        this.stream = new MaterialStream(spec.name(), clock);
        this.loop = new AcmPcaRenewalLoop(spec, new AcmPcaIssuer(spec, client, validator, clock), stream, clock);
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

    /** Returns at once: the first certificate arrives when ACM Private CA has issued it; until then, users of it are not ready. */
    @Override
    public synchronized void start() {
        if (!started) {
            started = true;
            loop.start();
        }
    }

    @Override
    public synchronized void close() {
        loop.stop();
        client.close();
        stream.complete();
    }
}
