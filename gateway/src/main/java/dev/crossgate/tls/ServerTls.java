package dev.crossgate.tls;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.crossgate.certs.CertificateSources;
import dev.crossgate.config.ListenerConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import reactor.netty.tcp.SslProvider;

/**
 * A terminating listener's TLS: one context per server identity, chosen for every new connection by
 * the SNI the client sent (exact names first, then {@code *.} wildcards, else the first identity).
 * Reactor Netty asks this mapping at each ClientHello, so a rotation applies to the next handshake.
 */
public final class ServerTls extends RotatingTls implements AsyncMapping<String, SslProvider> {

    /** An identity's context with the names it serves. */
    private record Served(String source, List<SubjectAltName> names, SslProvider provider) {
    }

    private final ListenerConfig listener;
    private final List<String> alpn;
    private final dev.crossgate.config.TlsPolicy policy;
    private final String trustSource;
    private volatile List<Served> served = List.of();
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private final List<java.util.function.LongConsumer> rotationListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ServerTls(ListenerConfig listener, CertificateSources sources, List<String> alpn, dev.crossgate.config.TlsPolicy policy) {
        super("listener." + listener.name());
        this.policy = policy;
        this.listener = listener;
        this.alpn = List.copyOf(alpn);
        this.trustSource = listener.tls().trust() != null ? listener.tls().trust() : listener.tls().certs().get(0);
        Set<String> names = new LinkedHashSet<>(listener.tls().certs());
        if (requiresTrust()) {
            names.add(trustSource);
        }
        follow(sources, names);
    }

    private boolean requiresTrust() {
        return listener.tls().clientAuth() != ListenerConfig.ClientAuth.NONE;
    }

    @Override
    protected void rebuild() throws Exception {
        ClientAuth clientAuth = switch (listener.tls().clientAuth()) {
            case NONE -> ClientAuth.NONE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case REQUIRE -> ClientAuth.REQUIRE;
        };
        PeerVerifier.TrustBundle bundle = trust(trustSource).orElse(null);
        List<Served> replaced = served;
        if (requiresTrust() && bundle == null) {
            served = List.of();
            retire(contexts(replaced));
            return;
        }
        PeerVerifier verifier = PeerVerifier.forClients(bundle, listener.tls().allowedSans());
        // identities for the same names share one context, so the client's signature algorithms choose among them
        java.util.Map<java.util.Set<SubjectAltName>, List<String>> sourcesByNames = new java.util.LinkedHashMap<>();
        java.util.Map<String, TlsMaterial> identities = new java.util.HashMap<>();
        for (String source : listener.tls().certs()) {
            material(source).filter(TlsMaterial::hasIdentity).ifPresent(identity -> {
                identities.put(source, identity);
                sourcesByNames.computeIfAbsent(java.util.Set.copyOf(identity.leafFacts().orElseThrow().subjectAltNames()), n -> new ArrayList<>())
                        .add(source);
            });
        }
        List<Served> built = new ArrayList<>();
        try {
            for (var group : sourcesByNames.entrySet()) {
                List<TlsMaterial> sameNames = group.getValue().stream().map(identities::get).toList();
                SslProvider provider = SslProvider.builder()
                        .sslContext(TlsContexts.server(sameNames, clientAuth, verifier, alpn, policy))
                        .handshakeTimeout(listener.limits().handshakeTimeout())
                        .build();
                for (String source : group.getValue()) {
                    built.add(new Served(source, List.copyOf(group.getKey()), provider));
                }
            }
        } catch (Exception | Error e) {
            contexts(built).forEach(TlsContexts::release);
            throw e;
        }
        served = List.copyOf(built);
        retire(contexts(replaced));
        long current = generation.incrementAndGet();
        rotationListeners.forEach(listener -> listener.accept(current));
    }

    /** One per identity group: the sources of a group share theirs. */
    private static Set<io.netty.handler.ssl.SslContext> contexts(List<Served> served) {
        Set<io.netty.handler.ssl.SslContext> contexts = new LinkedHashSet<>();
        served.forEach(s -> contexts.add(s.provider().getSslContext()));
        return contexts;
    }

    @Override
    protected java.util.Collection<io.netty.handler.ssl.SslContext> serving() {
        return contexts(served);
    }

    /** Which set of contexts is serving now; it grows by one with every rotation. */
    public long generation() {
        return generation.get();
    }

    /** Told the new generation after every rotation, once new handshakes already get the new contexts. */
    public void onRotation(java.util.function.LongConsumer listener) {
        rotationListeners.add(listener);
    }

    @Override
    public Future<SslProvider> map(String hostname, Promise<SslProvider> promise) {
        Served chosen = choose(hostname);
        return chosen == null ? promise.setFailure(notReady()) : promise.setSuccess(chosen.provider());
    }

    /** The same per-handshake choice for plain Netty pipelines (the TCP relay): Netty's own SniHandler asks it. */
    public AsyncMapping<String, io.netty.handler.ssl.SslContext> contexts() {
        return (hostname, promise) -> {
            Served chosen = choose(hostname);
            return chosen == null ? promise.setFailure(notReady()) : promise.setSuccess(chosen.provider().getSslContext());
        };
    }

    /** The identity for this handshake, or null while none is loaded. */
    private Served choose(String hostname) {
        List<Served> current = served;
        return current.isEmpty() ? null : select(current, hostname);
    }

    private NotReadyException notReady() {
        return new NotReadyException("listener " + listener.name() + " has no valid certificate yet: " + notReadyReason().orElse(""));
    }

    private static Served select(List<Served> current, String hostname) {
        if (hostname != null) {
            for (Served candidate : current) {
                if (candidate.names().stream().anyMatch(n -> n.type() == SubjectAltName.Type.DNS && !n.value().startsWith("*.")
                        && n.value().equalsIgnoreCase(hostname))) {
                    return candidate;
                }
            }
            for (Served candidate : current) {
                if (candidate.names().stream().anyMatch(n -> n.type() == SubjectAltName.Type.DNS && SanMatcher.dnsMatches(n.value(), hostname))) {
                    return candidate;
                }
            }
        }
        return current.get(0);
    }

    /**
     * The context Reactor Netty needs at bind time; never used to serve, since the mapping answers every handshake. The
     * listener's own when it has one: a throw-away self-signed one costs a key, a signature and a context (bench/ s5).
     * Reactor Netty holds it as long as the server runs, so a rotation does not free it.
     */
    public io.netty.handler.ssl.SslContext bindTimeContext() {
        List<Served> current = served;
        return current.isEmpty() ? PlaceholderContext.INSTANCE.get() : TlsContexts.keep(current.get(0).provider().getSslContext());
    }

    /** Judged on the contexts actually serving, not on material received: between the two, handshakes would still be refused. */
    @Override
    public Optional<String> notReadyReason() {
        List<Served> current = served;
        if (requiresTrust() && current.isEmpty() && material(trustSource).map(TlsMaterial::trust).orElse(List.of()).isEmpty()) {
            return Optional.of("no CA bundle from source " + trustSource + " to verify clients");
        }
        List<String> missing = listener.tls().certs().stream()
                .filter(source -> current.stream().noneMatch(s -> s.source().equals(source))).toList();
        return missing.isEmpty() ? Optional.empty() : Optional.of("no valid certificate from source(s) " + missing);
    }
}
