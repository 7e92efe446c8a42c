package dev.crossgate.certsource;

import java.util.Optional;

import dev.crossgate.tls.TlsMaterial;
import reactor.core.publisher.Flux;

/**
 * A plug-in that delivers TLS material: files, ACM Private CA, Kubernetes Secrets. It knows nothing of
 * Netty or of who uses the material. Its stream only ever carries validated material, replays the newest
 * to late subscribers, and never replaces good material with bad.
 */
public interface CertificateSource extends AutoCloseable {

    /** The configured name: the {@code <name>} in {@code crossgate.certs.<name>.*}. */
    String name();

    /** The type as configured in {@code crossgate.certs.<name>.source}. */
    String type();

    /** Hot: every accepted rotation, the newest replayed on subscription. Completes when the source closes. */
    Flux<TlsMaterial> material();

    /** The material being handed out now, if any has been accepted yet. */
    Optional<TlsMaterial> current();

    SourceCounters counters();

    /** Begins loading and watching. Returns at once; the first material arrives on {@link #material()}. */
    void start();

    @Override
    void close();
}
