package dev.crossgate.tls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.certs.CertificateSources;
import dev.crossgate.certsource.CertificateSource;
import io.netty.handler.ssl.SslContext;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * Follows the certificate sources a listener or connector uses and rebuilds its TLS contexts whenever
 * any of them rotates. Rebuilding happens on the sources' threads; the event loops only read the
 * volatile result, so the wire path takes no lock and every new handshake sees the newest material.
 */
abstract class RotatingTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotatingTls.class);
    private static final Duration RETIRE_AFTER = Duration.ofMinutes(5);

    protected final String scope;
    private final Map<String, TlsMaterial> latest = new ConcurrentHashMap<>();
    private final List<Disposable> subscriptions = new ArrayList<>();
    private boolean closed;

    RotatingTls(String scope) {
        this.scope = scope;
    }

    /**
     * Subscribes to every named source; the replayed current material triggers the first build at once.
     * With no source at all (a connector that skips verification and has no client certificate) it builds once now.
     */
    protected final void follow(CertificateSources sources, Set<String> names) {
        if (names.isEmpty()) {
            rebuildLogged();
        }
        for (String name : new LinkedHashSet<>(names)) {
            CertificateSource source = sources.get(name).orElseThrow(() -> new IllegalStateException("unknown source " + name));
            subscriptions.add(source.material().subscribe(material -> {
                latest.put(name, material);
                rebuildLogged();
            }));
        }
    }

    protected final Optional<TlsMaterial> material(String source) {
        return source == null ? Optional.empty() : Optional.ofNullable(latest.get(source));
    }

    protected final Optional<PeerVerifier.TrustBundle> trust(String source) {
        return material(source).filter(m -> !m.trust().isEmpty()).map(m -> PeerVerifier.TrustBundle.of(m.trust()));
    }

    private synchronized void rebuildLogged() {
        try {
            rebuild();
        } catch (Exception e) {
            // The material passed validation, so this is an engine limit (e.g. a key type BoringSSL refuses): keep the old contexts.
            LOG.error("{}: cannot build a TLS context from the new material, keeping the previous one: {}", scope, e.toString());
        }
    }

    /**
     * Releases contexts a rebuild replaced, minutes later: an event loop that read the old ones just before the swap, or a
     * request queued for a backend connection, still makes its engine from them; every engine holds its context for as
     * long as its connection lives.
     */
    protected static void retire(Collection<SslContext> replaced) {
        retire(replaced, RETIRE_AFTER);
    }

    static void retire(Collection<SslContext> replaced, Duration after) {
        if (!replaced.isEmpty()) {
            List<SslContext> contexts = List.copyOf(replaced);
            Schedulers.parallel().schedule(() -> contexts.forEach(TlsContexts::release), after.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Builds new contexts from {@link #material(String)}; called under this object's lock, off the event loops. */
    protected abstract void rebuild() throws Exception;

    /** Whether handshakes can be served now, and if not, why. */
    public abstract Optional<String> notReadyReason();

    /** The contexts serving now, for {@link #close}. */
    protected abstract Collection<SslContext> serving();

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.forEach(Disposable::dispose);
        retire(serving());
    }
}
