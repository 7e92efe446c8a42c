package dev.crossgate.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies the peer's chain against a trust bundle and its names against what is expected, and refuses
 * with a {@link PeerRejection} that says which of those failed and what was seen. One verifier serves one
 * generation of contexts: a CA rotation builds new contexts with a new verifier (see {@code RotatingTls}).
 */
public final class PeerVerifier extends X509ExtendedTrustManager {

    /** The trust bundle with its anchors computed once per rotation, not once per handshake. */
    public record TrustBundle(List<X509Certificate> certificates, Set<TrustAnchor> anchors) {
        public static TrustBundle of(List<X509Certificate> certificates) {
            return new TrustBundle(List.copyOf(certificates),
                    certificates.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toUnmodifiableSet()));
        }
    }

    /** Trusts no certificate. */
    static final PeerVerifier NOBODY = forClients(TrustBundle.of(List.of()), List.of());

    private final TrustBundle trust;
    private final List<String> allowedSans;
    private final String expectedServerName;

    private PeerVerifier(TrustBundle trust, List<String> allowedSans, String expectedServerName) {
        this.trust = trust;
        this.allowedSans = List.copyOf(allowedSans);
        this.expectedServerName = expectedServerName;
    }

    /** For a listener: client certificates must chain to the bundle and, when any are listed, carry an allowed SAN. */
    public static PeerVerifier forClients(TrustBundle trust, List<String> allowedSans) {
        return new PeerVerifier(trust, allowedSans, null);
    }

    /** For a connector: the backend's certificate must chain to the bundle and be valid for {@code serverName}. */
    public static PeerVerifier forServer(TrustBundle trust, String serverName) {
        return new PeerVerifier(trust, List.of(), serverName);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verifyChain(chain);
        if (!allowedSans.isEmpty()) {
            List<SubjectAltName> presented = CertificateFacts.of(chain[0]).subjectAltNames();
            if (!SanMatcher.allowed(allowedSans, presented)) {
                throw new PeerRejection(HandshakeFailure.SAN_NOT_ALLOWED, "client certificate " + chain[0].getSubjectX500Principal().getName()
                        + " presents " + presented + "; allowed: " + allowedSans);
            }
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verifyChain(chain);
        if (!SanMatcher.certificateMatchesHost(chain[0], expectedServerName)) {
            throw new PeerRejection(HandshakeFailure.NAME_MISMATCH, "server certificate " + chain[0].getSubjectX500Principal().getName()
                    + " presents " + CertificateFacts.of(chain[0]).subjectAltNames() + " but the name dialled is " + expectedServerName);
        }
    }

    private void verifyChain(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new PeerRejection(HandshakeFailure.NO_CLIENT_CERT, "no certificate presented");
        }
        TrustBundle bundle = trust;
        if (bundle == null || bundle.anchors().isEmpty()) {
            throw new PeerRejection(HandshakeFailure.UNTRUSTED_ISSUER, "no CA bundle is loaded to verify " + chain[0].getSubjectX500Principal().getName());
        }
        List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
        while (path.size() > 1 && bundle.certificates().contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        try {
            PKIXParameters parameters = new PKIXParameters(bundle.anchors());
            parameters.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            String who = chain[0].getSubjectX500Principal().getName() + " (issuer " + chain[0].getIssuerX500Principal().getName() + ")";
            if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                throw new PeerRejection(HandshakeFailure.EXPIRED, who + " expired at " + chain[0].getNotAfter().toInstant());
            }
            if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                throw new PeerRejection(HandshakeFailure.NOT_YET_VALID, who + " is not valid before " + chain[0].getNotBefore().toInstant());
            }
            String trusted = bundle.certificates().stream().map(c -> c.getSubjectX500Principal().getName()).collect(Collectors.joining("; "));
            String why = e.getReason() == PKIXReason.NO_TRUST_ANCHOR ? "not issued by a trusted CA" : e.getMessage();
            throw new PeerRejection(HandshakeFailure.UNTRUSTED_ISSUER, who + ": " + why + "; trusted CAs: " + trusted);
        } catch (GeneralSecurityException e) {
            throw new PeerRejection(HandshakeFailure.UNTRUSTED_ISSUER, "cannot verify " + chain[0].getSubjectX500Principal().getName() + ": " + e.getMessage());
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        TrustBundle bundle = trust;
        return bundle == null ? new X509Certificate[0] : bundle.certificates().toArray(X509Certificate[]::new);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkClientTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServerTrusted(chain, authType, (SSLEngine) null);
    }
}
