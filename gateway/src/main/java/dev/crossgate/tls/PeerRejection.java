package dev.crossgate.tls;

import java.security.cert.CertificateException;

/** A peer certificate refused for a reason the operator can act on; the message names what was seen and expected. */
public final class PeerRejection extends CertificateException {

    private final HandshakeFailure reason;

    public PeerRejection(HandshakeFailure reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public HandshakeFailure reason() {
        return reason;
    }
}
