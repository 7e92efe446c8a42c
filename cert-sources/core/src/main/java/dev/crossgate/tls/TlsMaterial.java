package dev.crossgate.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a source delivers: an identity (private key and chain, leaf first), a trust bundle, or both.
 * Immutable and already validated; a new rotation is a new instance. The facts operators see are
 * derived once here, not at every log line, scrape or rebuild.
 */
public final class TlsMaterial {

    private final String sourceName;
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final List<X509Certificate> trust;
    private final Instant loadedAt;
    private final Optional<CertificateFacts> leafFacts;
    private final List<CertificateFacts> trustFacts;
    private final byte[] ocspResponse;

    /**
     * @param sourceName the configured name of the source, for logs and {@code /certs}
     * @param privateKey the identity's key, or null for a trust-only source
     * @param chain      leaf first, then intermediates up to (not necessarily including) the root; empty when trust-only
     * @param trust      CA certificates that verify peers; may hold several during a CA rotation
     * @param loadedAt   when this material was accepted
     */
    public TlsMaterial(String sourceName, PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trust, Instant loadedAt) {
        this(sourceName, privateKey, chain, trust, loadedAt, null);
    }

    private TlsMaterial(String sourceName, PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trust, Instant loadedAt,
                        byte[] ocspResponse) {
        if ((privateKey == null) != chain.isEmpty()) {
            throw new IllegalArgumentException("a private key and a certificate chain come together");
        }
        if (chain.isEmpty() && trust.isEmpty()) {
            throw new IllegalArgumentException("material needs an identity, a trust bundle, or both");
        }
        this.sourceName = sourceName;
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.trust = List.copyOf(trust);
        this.loadedAt = loadedAt;
        this.leafFacts = this.chain.isEmpty() ? Optional.empty() : Optional.of(CertificateFacts.of(this.chain.get(0)));
        this.trustFacts = this.trust.stream().map(CertificateFacts::of).toList();
        this.ocspResponse = ocspResponse;
    }

    /** The same material with an OCSP response for its leaf, already checked by {@link OcspResponses#check}. */
    public TlsMaterial withOcspResponse(byte[] checkedResponse) {
        return new TlsMaterial(sourceName, privateKey, chain, trust, loadedAt, checkedResponse.clone());
    }

    /** The DER OCSP response to staple, if the source delivered one. Shared, not copied: read it, never change it. */
    public Optional<byte[]> ocspResponse() {
        return Optional.ofNullable(ocspResponse);
    }

    public String sourceName() {
        return sourceName;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    public List<X509Certificate> trust() {
        return trust;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public boolean hasIdentity() {
        return privateKey != null;
    }

    public Optional<X509Certificate> leaf() {
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0));
    }

    public Optional<CertificateFacts> leafFacts() {
        return leafFacts;
    }

    public List<CertificateFacts> trustFacts() {
        return trustFacts;
    }

    /** Same certificates, trust and OCSP response as {@code other}: a reload that changed nothing is not a rotation. */
    public boolean sameCertificatesAs(TlsMaterial other) {
        return other != null && chain.equals(other.chain) && trust.equals(other.trust) && Arrays.equals(ocspResponse, other.ocspResponse)
                && (privateKey == null ? other.privateKey == null
                        : other.privateKey != null && Arrays.equals(privateKey.getEncoded(), other.privateKey.getEncoded()));
    }

    @Override
    public String toString() {
        // never the key
        return "TlsMaterial[source=" + sourceName + ", leaf=" + leafFacts.map(CertificateFacts::subject).orElse("none")
                + ", trust=" + trust.size() + " CA(s), loadedAt=" + loadedAt + "]";
    }
}
