package dev.crossgate.listener;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.crossgate.tls.CertificateFacts;
import dev.crossgate.tls.SubjectAltName;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.channel.Channel;
import dev.crossgate.tls.HandshakeObserver;

/**
 * What a reverse proxy must do to headers on the way through: drop hop-by-hop headers (RFC 9110 7.6.1),
 * add {@code X-Forwarded-For/-Proto}, and pass the verified client identity in Envoy's
 * {@code x-forwarded-client-cert} form, never one the client made up.
 */
final class ForwardedHeaders {

    static final String XFCC = "x-forwarded-client-cert";
    private static final AsciiString[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};
    /** A connection's client certificate in XFCC form, made at its first request rather than at every one. */
    private static final AttributeKey<String> CLIENT_CERTIFICATE = AttributeKey.valueOf("crossgate.xfcc");

    private ForwardedHeaders() {
    }

    /** Every header but the hop-by-hop ones and those the Connection header names; compares names without copying them. */
    static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
        List<String> connection = from.getAll(HttpHeaderNames.CONNECTION);
        Iterator<Map.Entry<CharSequence, CharSequence>> headers = from.iteratorCharSequence();
        while (headers.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = headers.next();
            CharSequence name = header.getKey();
            if (isHopByHop(name)) {
                // "te: trailers" is the one TE that HTTP/2 allows, and gRPC servers rely on it
                boolean teTrailers = AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)
                        && AsciiString.contentEqualsIgnoreCase(AsciiString.trim(header.getValue()), HttpHeaderValues.TRAILERS);
                if (!teTrailers) {
                    continue;
                }
            } else if (!connection.isEmpty() && listedIn(connection, name)) {
                continue;
            }
            to.add(name, header.getValue());
        }
    }

    private static boolean isHopByHop(CharSequence name) {
        for (AsciiString hopByHop : HOP_BY_HOP) {
            if (hopByHop.length() == name.length() && hopByHop.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} is one of the comma-separated tokens of the Connection header's values. */
    private static boolean listedIn(List<String> connection, CharSequence name) {
        for (String value : connection) {
            int start = 0;
            while (start <= value.length()) {
                int end = value.indexOf(',', start);
                if (end < 0) {
                    end = value.length();
                }
                if (AsciiString.contentEqualsIgnoreCase(AsciiString.trim(value.subSequence(start, end)), name)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    /** The XFCC value for the verified client certificate of {@code connection}, or null when it presented none. */
    static String clientCertificate(Channel connection) {
        if (!connection.hasAttr(HandshakeObserver.PEER_CERTIFICATE)) {
            return null; // attr() would add an empty attribute to every connection without a client certificate
        }
        Attribute<String> cached = connection.attr(CLIENT_CERTIFICATE);
        String value = cached.get();
        if (value == null) {
            X509Certificate peer = connection.attr(HandshakeObserver.PEER_CERTIFICATE).get();
            if (peer == null) {
                return null;
            }
            value = xfcc(peer);
            cached.set(value);
        }
        return value;
    }

    /** @param clientCertificate the XFCC value of the verified client certificate, or null */
    static void request(HttpHeaders from, HttpHeaders to, InetSocketAddress client, boolean https, String clientCertificate) {
        copyEndToEnd(from, to);
        to.remove(XFCC);
        String clientAddress = client == null ? "unknown" : client.getAddress() == null ? client.getHostString()
                : client.getAddress().getHostAddress();
        String previous = from.get("x-forwarded-for");
        to.set("x-forwarded-for", previous == null || previous.isBlank() ? clientAddress : previous + ", " + clientAddress);
        to.set("x-forwarded-proto", https ? "https" : "http");
        if (clientCertificate != null) {
            to.set(XFCC, clientCertificate);
        }
    }

    /** {@code Hash=<sha256>;Subject="...";URI=...;DNS=...}, as Envoy forwards a verified client certificate. */
    static String xfcc(X509Certificate peer) {
        CertificateFacts facts = CertificateFacts.of(peer);
        StringBuilder value = new StringBuilder("Hash=").append(facts.sha256Fingerprint().replace(":", "").toLowerCase(Locale.ROOT))
                .append(";Subject=\"").append(facts.subject().replace("\"", "\\\"")).append('"');
        for (SubjectAltName san : facts.subjectAltNames()) {
            if (san.type() == SubjectAltName.Type.URI) {
                value.append(";URI=").append(san.value());
            } else if (san.type() == SubjectAltName.Type.DNS) {
                value.append(";DNS=").append(san.value());
            }
        }
        return value.toString();
    }
}
