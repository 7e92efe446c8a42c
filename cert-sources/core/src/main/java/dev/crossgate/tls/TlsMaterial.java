package dev.crossgate.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a certificate source delivers: an identity (private key and chain, leaf first), a trust bundle,
 * or both. Immutable and already validated; a new rotation is a new instance.
 *
 * @param sourceName the configured name of the source, for logs and {@code /certs}
 * @param privateKey the identity's key, or null for a trust-only source
 * @param chain      leaf first, then intermediates up to (not necessarily including) the root; empty when trust-only
 * @param trust      CA certificates that verify peers; may hold several during a CA rotation
 * @param loadedAt   when this material was accepted
 */
public record TlsMaterial(
        String sourceName,
        PrivateKey privateKey,
        List<X509Certificate> chain,
        List<X509Certificate> trust,
        Instant loadedAt) {

    public TlsMaterial {
        chain = List.copyOf(chain);
        trust = List.copyOf(trust);
        if ((privateKey == null) != chain.isEmpty()) {
            throw new IllegalArgumentException("a private key and a certificate chain come together");
        }
        if (chain.isEmpty() && trust.isEmpty()) {
            throw new IllegalArgumentException("material needs an identity, a trust bundle, or both");
        }
    }

    public boolean hasIdentity() {
        return privateKey != null;
    }

    public Optional<X509Certificate> leaf() {
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0));
    }

    public Optional<CertificateFacts> leafFacts() {
        return leaf().map(CertificateFacts::of);
    }

    public List<CertificateFacts> trustFacts() {
        return trust.stream().map(CertificateFacts::of).toList();
    }

    /** Same certificates and trust as {@code other}: a reload that changed nothing is not a rotation. */
    public boolean sameCertificatesAs(TlsMaterial other) {
        return other != null && chain.equals(other.chain) && trust.equals(other.trust)
                && (privateKey == null ? other.privateKey == null : other.privateKey != null
                        && java.util.Arrays.equals(privateKey.getEncoded(), other.privateKey.getEncoded()));
    }

    @Override
    public String toString() {
        // Never print the key: records would otherwise include it.
        return "TlsMaterial[source=" + sourceName + ", leaf=" + leafFacts().map(CertificateFacts::subject).orElse("none")
                + ", trust=" + trust.size() + " CA(s), loadedAt=" + loadedAt + "]";
    }
}
