package dev.crossgate.tls;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;

import io.netty.handler.ssl.NotSslRecordException;

/**
 * Why a TLS handshake failed, in the words an operator needs, with the Envoy counter it increments.
 * Certificate verification failures have counters of their own and are not {@code connection_error}s.
 */
public enum HandshakeFailure {
    NO_CLIENT_CERT("ssl.fail_verify_no_cert", "the client sent no certificate but one is required"),
    UNTRUSTED_ISSUER("ssl.fail_verify_error", "the peer's certificate is not issued by a trusted CA"),
    EXPIRED("ssl.fail_verify_error", "the peer's certificate is expired"),
    NOT_YET_VALID("ssl.fail_verify_error", "the peer's certificate is not valid yet"),
    SAN_NOT_ALLOWED("ssl.fail_verify_san", "the peer's certificate names are not allowed"),
    NAME_MISMATCH("ssl.fail_verify_san", "the peer's certificate is not valid for the name dialled"),
    NOT_TLS("ssl.connection_error", "the peer did not speak TLS"),
    PROTOCOL_OR_CIPHER("ssl.connection_error", "no TLS version, cipher suite, signature algorithm or key exchange group in common"),
    REFUSED_BY_PEER("ssl.connection_error", "the peer refused our certificate or ended the handshake"),
    NOT_READY("ssl.connection_error", "no valid certificate loaded yet"),
    TIMEOUT("ssl.connection_error", "the handshake did not complete in time"),
    CLOSED_MID_HANDSHAKE("ssl.connection_error", "the peer closed the connection before the handshake completed"),
    OTHER("ssl.connection_error", "the handshake failed");

    /**
     * What each library writes for a reason, in the order they are tried: a TLS 1.3 client refused for want of a
     * certificate reads "tlsv13 alert certificate required", which is NO_CLIENT_CERT before it is an alert.
     */
    private static final List<Map.Entry<HandshakeFailure, List<String>>> MARKERS = List.of(
            Map.entry(NO_CLIENT_CERT, List.of("PEER_DID_NOT_RETURN_A_CERTIFICATE", "EMPTY_CLIENT_CERTIFICATE_CHAIN", "CERTIFICATE_REQUIRED")),
            Map.entry(NOT_TLS, List.of("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "NOT_AN_SSL/TLS_RECORD")),
            Map.entry(PROTOCOL_OR_CIPHER, List.of("NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE",
                    "NO_CIPHER_SUITES_IN_COMMON", "PROTOCOL_VERSION", "NO_APPROPRIATE_PROTOCOL", "NO_COMMON_SIGNATURE_ALGORITHMS",
                    "NO_SUITABLE_SIGNATURE_ALGORITHM", "HANDSHAKE_FAILURE_ON_CLIENT_HELLO", "NO_SHARED_GROUP", "WRONG_CURVE",
                    "NO_SUITABLE_KEY_SHARE",
                    // OpenSSL (3.6, through netty-tcnative 2.0.81) loses its reason when the ClientHello fails after our
                    // certificate was picked: a TLS 1.2 client without our cipher suites, any client without a signature
                    // algorithm for our key. Nothing else was seen to fail without one.
                    "ERROR:00000000:LIB(0)::REASON(0)")),
            Map.entry(REFUSED_BY_PEER, List.of("SSLV3_ALERT", "SSL/TLS_ALERT", "TLSV1_ALERT", "TLSV13_ALERT", "RECEIVED_FATAL_ALERT")),
            Map.entry(CLOSED_MID_HANDSHAKE, List.of("CLOSED_WHILE_SSL/TLS_HANDSHAKE")));

    private final String counter;
    private final String description;

    HandshakeFailure(String counter, String description) {
        this.counter = counter;
        this.description = description;
    }

    /** The Envoy counter name below the scope, e.g. {@code ssl.fail_verify_san}. */
    public String counter() {
        return counter;
    }

    public String description() {
        return description;
    }

    /** Lower-case name for logs and the per-reason counter {@code ssl.failure.<label>}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Finds the reason in a handshake failure's cause chain, as BoringSSL, OpenSSL and the JDK each report it. */
    public static HandshakeFailure classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PeerRejection rejection) {
                return rejection.reason();
            }
            if (t instanceof NotReadyException) {
                return NOT_READY;
            }
            if (t instanceof NotSslRecordException) {
                return NOT_TLS;
            }
            if (t instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
                return TIMEOUT;
            }
        }
        // BoringSSL names its reasons WRONG_VERSION_NUMBER, OpenSSL 3 "wrong version number", the JDK in sentences:
        // one spelling for all three
        String messages = messages(failure).toUpperCase(Locale.ROOT).replace(' ', '_');
        for (Map.Entry<HandshakeFailure, List<String>> reason : MARKERS) {
            for (String marker : reason.getValue()) {
                if (messages.contains(marker)) {
                    return reason.getKey();
                }
            }
        }
        if (failure instanceof SSLHandshakeException && messages.contains("CERTIFICATE_VERIFY_FAILED")) {
            return UNTRUSTED_ISSUER;
        }
        return OTHER;
    }

    /** Every message of the cause chain, for logs: BoringSSL puts the useful part in the innermost one. */
    public static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null && all.length() < 600; t = t.getCause()) {
            if (t.getMessage() != null && all.indexOf(t.getMessage()) < 0) {
                all.append(all.length() == 0 ? "" : ": ").append(t.getMessage());
            }
        }
        return all.length() == 0 ? failure.getClass().getSimpleName() : all.toString();
    }
}
