package dev.crossgate.tls;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;

import dev.crossgate.certs.CertificateSources;
import dev.crossgate.config.ConnectorConfig;
import reactor.netty.tcp.SslProvider;

/**
 * A connector's TLS: the backend verified against the current CA bundle and the configured server
 * name, and our client certificate for mTLS. Rebuilt when either rotates, exactly like a listener's.
 */
public final class ClientTls extends RotatingTls {

    /** A backend that accepts the connection but does not finish the handshake within this is given up on. */
    public static final java.time.Duration HANDSHAKE_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final ConnectorConfig connector;
    private final List<String> alpn;
    private final dev.crossgate.config.TlsPolicy policy;
    private volatile SslProvider current;

    public ClientTls(ConnectorConfig connector, CertificateSources sources, List<String> alpn, dev.crossgate.config.TlsPolicy policy) {
        super("connector." + connector.name());
        this.policy = policy;
        this.connector = connector;
        this.alpn = List.copyOf(alpn);
        Set<String> names = new LinkedHashSet<>();
        if (connector.tls().certs() != null) {
            names.add(connector.tls().certs());
        }
        if (connector.tls().trust() != null) {
            names.add(connector.tls().trust());
        }
        follow(sources, names);
    }

    @Override
    protected void rebuild() throws Exception {
        ConnectorConfig.Tls tls = connector.tls();
        Optional<TlsMaterial> identity = material(tls.certs()).filter(TlsMaterial::hasIdentity);
        Optional<PeerVerifier.TrustBundle> bundle = trust(tls.trust());
        if ((tls.certs() != null && identity.isEmpty()) || (!tls.insecureSkipVerify() && bundle.isEmpty())) {
            return;
        }
        PeerVerifier verifier = PeerVerifier.forServer(bundle.orElse(null), tls.serverName());
        String serverName = tls.serverName();
        SslProvider replaced = current;
        current = SslProvider.builder()
                .sslContext(TlsContexts.client(identity.orElse(null), verifier, tls.insecureSkipVerify(), alpn, policy))
                .handshakeTimeout(HANDSHAKE_TIMEOUT)
                .handlerConfigurator(handler -> {
                    // Names are verified by PeerVerifier against tls.server-name, not against the address dialled.
                    SSLParameters parameters = handler.engine().getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm(null);
                    if (!SanMatcher.isIpLiteral(serverName)) {
                        parameters.setServerNames(List.of(new SNIHostName(serverName)));
                    }
                    handler.engine().setSSLParameters(parameters);
                })
                .build();
        if (replaced != null) {
            retire(List.of(replaced.getSslContext()));
        }
    }

    @Override
    protected java.util.Collection<io.netty.handler.ssl.SslContext> serving() {
        SslProvider serving = current;
        return serving == null ? List.of() : List.of(serving.getSslContext());
    }

    /** The newest provider, or empty while the material it needs has not arrived. */
    public Optional<SslProvider> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public Optional<String> notReadyReason() {
        if (current != null) {
            return Optional.empty();
        }
        ConnectorConfig.Tls tls = connector.tls();
        if (tls.certs() != null && material(tls.certs()).filter(TlsMaterial::hasIdentity).isEmpty()) {
            return Optional.of("no valid client certificate from source " + tls.certs());
        }
        return Optional.of("no CA bundle from source " + tls.trust() + " to verify the backend");
    }
}
