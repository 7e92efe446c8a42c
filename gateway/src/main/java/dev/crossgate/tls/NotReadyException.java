package dev.crossgate.tls;

import javax.net.ssl.SSLHandshakeException;

/** A handshake refused because the listener has no valid certificate loaded yet. */
public final class NotReadyException extends SSLHandshakeException {

    public NotReadyException(String reason) {
        super(reason);
    }
}
