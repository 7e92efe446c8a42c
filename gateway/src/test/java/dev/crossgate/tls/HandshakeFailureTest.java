package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The same reason, as BoringSSL, OpenSSL 3 and the JDK each word it, lands on the same counter. */
class HandshakeFailureTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "NOT_TLS            | error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER",
            "NOT_TLS            | error:0A00010B:SSL routines::wrong version number",
            "NOT_TLS            | error:0A00009C:SSL routines::http request",
            "PROTOCOL_OR_CIPHER | error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER",
            "PROTOCOL_OR_CIPHER | error:0A0000C1:SSL routines::no shared cipher",
            "PROTOCOL_OR_CIPHER | error:0A000102:SSL routines::unsupported protocol",
            "PROTOCOL_OR_CIPHER | error:0A000076:SSL routines::no suitable signature algorithm",
            "PROTOCOL_OR_CIPHER | error:1000010a:SSL routines:OPENSSL_internal:NO_SHARED_GROUP",
            "PROTOCOL_OR_CIPHER | error:100000f3:SSL routines:OPENSSL_internal:WRONG_CURVE",
            "PROTOCOL_OR_CIPHER | error:0A000065:SSL routines::no suitable key share",
            "PROTOCOL_OR_CIPHER | error:00000000:lib(0)::reason(0)",
            "PROTOCOL_OR_CIPHER | No appropriate protocol (protocol is disabled or cipher suites are inappropriate)",
            "NO_CLIENT_CERT     | error:100000c7:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE",
            "NO_CLIENT_CERT     | error:0A0000C7:SSL routines::peer did not return a certificate",
            "NO_CLIENT_CERT     | error:0A00045C:SSL routines::tlsv13 alert certificate required",
            "REFUSED_BY_PEER    | error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE",
            "REFUSED_BY_PEER    | error:0A000412:SSL routines::ssl/tls alert bad certificate",
            "REFUSED_BY_PEER    | error:0A000418:SSL routines::tlsv1 alert unknown ca",
            "UNTRUSTED_ISSUER   | error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
            "UNTRUSTED_ISSUER   | error:0A000086:SSL routines::certificate verify failed",
            "OTHER              | error:0A000126:SSL routines::unexpected eof while reading",
    })
    void readsEachLibrarysWordingOfTheSameReason(HandshakeFailure expected, String message) {
        SSLException failure = new SSLHandshakeException("handshake failed");
        failure.initCause(new SSLException(message));
        assertThat(HandshakeFailure.classify(failure)).isEqualTo(expected);
    }
}
