package dev.crossgate.tls;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import dev.crossgate.config.TlsPolicy;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;

/** A throw-away self-signed context that only satisfies Reactor Netty's bind-time check; it serves nothing. */
enum PlaceholderContext implements Supplier<SslContext> {
    INSTANCE;

    private volatile SslContext context;

    @Override
    public SslContext get() {
        SslContext existing = context;
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            if (context == null) {
                Instant now = Instant.now();
                CertificateIssuer.Issued self = CertificateIssuer.rootCa("crossgate-placeholder", KeyType.EC_P256.generate(), now,
                        now.plus(Duration.ofDays(1)));
                try {
                    // built like every served context, so it follows the same provider, key handover and protocols
                    TlsMaterial material = new TlsMaterial("placeholder", self.keyPair().getPrivate(), List.of(self.certificate()), List.of(), now);
                    context = TlsContexts.server(List.of(material), ClientAuth.NONE, null, List.of(), TlsPolicy.STRICT);
                } catch (javax.net.ssl.SSLException e) {
                    throw new IllegalStateException(e);
                }
            }
            return context;
        }
    }

}
