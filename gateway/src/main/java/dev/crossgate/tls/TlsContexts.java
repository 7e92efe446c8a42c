package dev.crossgate.tls;

import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.config.ConfigException;
import dev.crossgate.config.TlsPolicy;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;

/**
 * Builds Netty TLS contexts from validated material under the gateway's {@link TlsPolicy} (strict by default: TLS 1.3
 * and 1.2, AEAD suites with forward secrecy, X25519/P-256/P-384), with BoringSSL when it loads, or the host's OpenSSL
 * or AWS-LC when {@code crossgate.tls.library} asks for it. None renegotiates as a server through Netty nor compresses,
 * so neither can be switched on.
 */
public final class TlsContexts {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

    /** Chosen at first use, after {@link #load} had its say over which native library Netty finds. */
    private static final class Chosen {
        static final SslProvider PROVIDER = chooseProvider();
    }

    /**
     * The key store type Netty puts a key in on its way from us to the TLS engine, in memory and for a moment. The
     * default, PKCS#12, encrypts and decrypts the key with 10,000 rounds of PBKDF2 each way: ~130 ms of CPU before the
     * first proxied request (bench/ s5), C2 compiling SHA-256 besides, and again at every rotation. JKS wraps it cheaply;
     * nothing is ever written.
     */
    private static final String HANDOVER_KEY_STORE = "JKS";

    /**
     * Bytes BoringSSL may write while it is reading (its handshake flight, tickets, alerts), held natively by each
     * connection for as long as it lives. Netty's default, 2 KiB, was 1.5 KiB of the ~11 KiB an idle TLS connection
     * cost (bench/ s5). A flight that does not fit costs one more pass through wrap, which sends it on.
     */
    private static final int WRITES_DURING_READ_BUFFER = 256;

    private TlsContexts() {
    }

    public static SslProvider provider() {
        return Chosen.PROVIDER;
    }

    /**
     * Loads the native TLS library {@code crossgate.tls.library} names. One from java.library.path is loaded at once, so
     * that a host without it stops the start with the reason; the rest (for BoringSSL all of it) on a background thread, so
     * that on a machine with more than one core the tenth of a second it takes overlaps with reading certificates.
     */
    public static void load(TlsPolicy.Library library) throws ConfigException {
        if (library == TlsPolicy.Library.BORINGSSL) {
            NativeTlsLibrary.refuseForeignBuild(System.getProperty("java.library.path", ""));
        } else {
            NativeTlsLibrary.load(library);
        }
        Thread warmUp = new Thread(TlsContexts::provider, "crossgate-tls-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /**
     * A listener's context: its identity (several for the same names, one per key algorithm, picked by the client's
     * signature algorithms), and client verification when client-auth is not none.
     */
    public static SslContext server(List<TlsMaterial> identities, ClientAuth clientAuth, PeerVerifier clientVerifier, List<String> alpn,
                                    TlsPolicy policy) throws SSLException {
        TlsMaterial first = identities.get(0);
        RsaKeyOffload offload = RsaKeyOffload.forKeys(identities.stream().map(TlsMaterial::privateKey).toList(), policy);
        SslContextBuilder builder = (identities.size() == 1 && offload == null
                ? SslContextBuilder.forServer(first.privateKey(), first.chain().toArray(X509Certificate[]::new))
                : SslContextBuilder.forServer(new IdentityKeyManager(identities, offload == null)))
                .clientAuth(clientAuth);
        if (offload != null) {
            builder.option(OpenSslContextOption.PRIVATE_KEY_METHOD, offload);
        }
        // with client-auth none no certificate is asked for and NOBODY is never consulted: without a trust manager Netty would
        // load the JDK's CA file in its place (40 ms of the start, bench/ s5)
        builder.trustManager(clientAuth != ClientAuth.NONE ? clientVerifier : PeerVerifier.NOBODY);
        byte[] ocsp = stapleable(identities);
        if (ocsp == null) {
            return build(common(builder, alpn, policy));
        }
        return new OcspStapling(build(common(builder.enableOcsp(true), alpn, policy)), ocsp);
    }

    /**
     * The OCSP response to staple, when the source delivered one and BoringSSL serves it. With several certificates for
     * the same names the one used is chosen inside the handshake, too late to pick its response: none is stapled then.
     */
    private static byte[] stapleable(List<TlsMaterial> identities) {
        boolean delivered = identities.stream().anyMatch(identity -> identity.ocspResponse().isPresent());
        if (!delivered) {
            return null;
        }
        if (provider() != SslProvider.OPENSSL || identities.size() > 1) {
            LOG.warn("OCSP responses from source(s) {} are not stapled: {}", identities.stream().map(TlsMaterial::sourceName).toList(),
                    provider() != SslProvider.OPENSSL ? "the JDK TLS provider is in use" : "several certificates serve the same names");
            return null;
        }
        return identities.get(0).ocspResponse().orElseThrow();
    }

    /** Gives every handshake of a context the same stapled response: set per engine, before its handshake starts. */
    private static final class OcspStapling extends io.netty.handler.ssl.DelegatingSslContext {
        private final SslContext stapling;
        private final byte[] response;

        OcspStapling(SslContext context, byte[] response) {
            super(context);
            this.stapling = context;
            this.response = response;
        }

        @Override
        protected void initEngine(javax.net.ssl.SSLEngine engine) {
            if (engine instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine openSsl) {
                openSsl.setOcspResponse(response);
            }
        }
    }

    /** A connector's context: the backend verified by {@code verifier} (or not at all), our client identity if any. */
    public static SslContext client(TlsMaterial identity, PeerVerifier verifier, boolean insecureSkipVerify, List<String> alpn,
                                    TlsPolicy policy) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .trustManager(insecureSkipVerify ? InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0] : verifier);
        if (identity != null) {
            builder.keyManager(identity.privateKey(), identity.chain().toArray(X509Certificate[]::new));
        }
        return build(common(builder, alpn, policy));
    }

    /**
     * Gives up the reference {@link #server} or {@link #client} handed out. Each engine holds its own for its connection's
     * life, so the native context is freed when the last connection made with it closes, not at a later GC.
     */
    static void release(SslContext context) {
        ReferenceCountUtil.release(counted(context));
    }

    /** Keeps a context for the life of the process, whatever {@link #release} is called later. */
    static SslContext keep(SslContext context) {
        ReferenceCountUtil.retain(counted(context));
        return context;
    }

    /** The context that carries the count: a stapling wrapper's inner one. */
    private static SslContext counted(SslContext context) {
        return context instanceof OcspStapling wrapper ? wrapper.stapling : context;
    }

    private static SslContext build(SslContextBuilder builder) throws SSLException {
        SslContext context = builder.build();
        if (context instanceof ReferenceCountedOpenSslContext openSsl) {
            openSsl.setBioNonApplicationBufferSize(WRITES_DURING_READ_BUFFER);
        }
        return context;
    }

    private static SslContextBuilder common(SslContextBuilder builder, List<String> alpn, TlsPolicy policy) {
        // reference-counted (see release): Netty's other OpenSSL contexts give every engine a finalizer, registered under a
        // lock at each handshake, and a closed connection's engine then waits for a GC and the finalizer thread
        SslProvider library = provider() == SslProvider.OPENSSL ? SslProvider.OPENSSL_REFCNT : provider();
        builder.sslProvider(library).keyStoreType(HANDOVER_KEY_STORE).protocols(policy.protocols()).ciphers(policy.cipherSuites());
        if (provider() == SslProvider.OPENSSL) {
            builder.option(OpenSslContextOption.GROUPS, policy.groups().toArray(String[]::new));
        }
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        return builder;
    }

    private static SslProvider chooseProvider() {
        if (OpenSsl.isAvailable()) {
            LOG.info("TLS by {} through netty-tcnative", OpenSsl.versionString());
            return SslProvider.OPENSSL;
        }
        LOG.warn("netty-tcnative (BoringSSL) could not be loaded, TLS falls back to the JDK provider, which is slower: {}",
                String.valueOf(OpenSsl.unavailabilityCause()));
        return SslProvider.JDK;
    }
}
