package dev.crossgate.tls;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

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
                    context = SslContextBuilder.forServer(self.keyPair().getPrivate(), self.certificate())
                            .sslProvider(TlsContexts.provider()).keyStoreType(TlsContexts.HANDOVER_KEY_STORE).protocols(dev.crossgate.config.TlsPolicy.STRICT_PROTOCOLS).build();
                } catch (javax.net.ssl.SSLException e) {
                    throw new IllegalStateException(e);
                }
            }
            return context;
        }
    }

}
