package dev.crossgate.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Several identities for the same names, one per key algorithm (an RSA and an ECDSA certificate, say).
 * Netty asks for an alias per key type and installs every one it gets, and BoringSSL keeps one certificate
 * per connection; so this answers for one key type only: the first the client's signature algorithms
 * (in its order of preference) can verify. It also serves a single identity whose key BoringSSL is not to hold.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {

    private final List<TlsMaterial> identities;
    /** False when another library signs for BoringSSL ({@link RsaKeyOffload}): BoringSSL is then given no key. */
    private final boolean handsOverKeys;

    IdentityKeyManager(List<TlsMaterial> identities, boolean handsOverKeys) {
        this.identities = List.copyOf(identities);
        this.handsOverKeys = handsOverKeys;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        int chosen = preferred(engine);
        String algorithm = identities.get(chosen).privateKey().getAlgorithm();
        boolean asked = keyType.contains("RSA") && !keyType.equals("EC_RSA") ? algorithm.equals("RSA") : algorithm.equals("EC");
        return asked ? Integer.toString(chosen) : null;
    }

    /**
     * The identity the client prefers by its signature_algorithms; the first identity when it does not say. A single identity
     * (an RSA one whose key another library holds) is not looked up: Netty names each of the client's algorithms through
     * regular expressions, 1.8 % of an RSA-2048 handshake's processor time (bench/ s2, async-profiler).
     */
    private int preferred(SSLEngine engine) {
        if (identities.size() == 1) {
            return 0;
        }
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        if (session instanceof ExtendedSSLSession extended) {
            for (String signature : extended.getPeerSupportedSignatureAlgorithms()) {
                String name = signature.toUpperCase(Locale.ROOT);
                String wanted = name.contains("ECDSA") ? "EC" : name.contains("RSA") ? "RSA" : null;
                for (int i = 0; wanted != null && i < identities.size(); i++) {
                    if (identities.get(i).privateKey().getAlgorithm().equals(wanted)) {
                        return i;
                    }
                }
            }
        }
        return 0;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseEngineServerAlias(keyType, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = chooseEngineServerAlias(keyType, issuers, null);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return identities.get(Integer.parseInt(alias)).chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return handsOverKeys ? identities.get(Integer.parseInt(alias)).privateKey() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }
}
