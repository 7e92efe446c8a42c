package dev.crossgate.tls;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;

/**
 * An OCSP response delivered with an identity, to be stapled to its handshakes. Checked before it is served: a
 * response that is not successful, not about the leaf, says the leaf is revoked, or is out of date would make careful
 * clients refuse the handshake, so it is refused here instead, with the reason.
 */
public final class OcspResponses {

    private OcspResponses() {
    }

    /** The DER response itself if it may be stapled for {@code leaf} now; otherwise why not. */
    public static byte[] check(byte[] der, X509Certificate leaf, Instant now, String origin) throws MaterialException {
        if (der == null || der.length == 0) {
            throw new MaterialException(MaterialException.Reason.EMPTY, origin + " is empty; an OCSP response (DER) belongs there");
        }
        try {
            OCSPResp response = new OCSPResp(der);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " is an OCSP response with status " + response.getStatus() + ", not successful (0)");
            }
            if (!(response.getResponseObject() instanceof BasicOCSPResp basic)) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin + " is not a basic OCSP response");
            }
            for (SingleResp single : basic.getResponses()) {
                if (!single.getCertID().getSerialNumber().equals(leaf.getSerialNumber())) {
                    continue;
                }
                if (single.getCertStatus() != org.bouncycastle.cert.ocsp.CertificateStatus.GOOD) {
                    throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin
                            + " says the certificate with serial " + leaf.getSerialNumber().toString(16) + " is not good (revoked or unknown)");
                }
                Date thisUpdate = single.getThisUpdate();
                Date nextUpdate = single.getNextUpdate();
                if (thisUpdate != null && thisUpdate.toInstant().isAfter(now.plusSeconds(300))) {
                    throw new MaterialException(MaterialException.Reason.NOT_YET_VALID, origin + " is valid only from " + thisUpdate.toInstant());
                }
                if (nextUpdate != null && !nextUpdate.toInstant().isAfter(now)) {
                    throw new MaterialException(MaterialException.Reason.EXPIRED, origin + " expired at " + nextUpdate.toInstant()
                            + " (its nextUpdate); fetch a fresh response from the CA's responder");
                }
                return der;
            }
            throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin + " has no status for the certificate with serial "
                    + leaf.getSerialNumber().toString(16) + " (it is about another certificate)");
        } catch (IOException | OCSPException | RuntimeException e) {
            throw new MaterialException(MaterialException.Reason.NOT_PEM_OR_DER, origin + " is not an OCSP response in DER ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
