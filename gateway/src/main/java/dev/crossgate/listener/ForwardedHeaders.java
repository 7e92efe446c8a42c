package dev.crossgate.listener;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Locale;

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
    /** RFC 9110 7.6.1 and the proxies' own; TE is looked at on its own (see {@link #dropHopByHop}). */
    private static final AsciiString[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};
    /** A connection's client certificate in XFCC form, made at its first request rather than at every one. */
    private static final AttributeKey<String> CLIENT_CERTIFICATE = AttributeKey.valueOf("crossgate.xfcc");

    private ForwardedHeaders() {
    }

    /** Every header but the hop-by-hop ones and those the Connection header names. */
    static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
        to.add(from);
        dropHopByHop(to);
    }

    /**
     * Drops the hop-by-hop headers and those the Connection header names, in place: a message received by one hop is
     * passed on by the next without copying its headers. "te: trailers" stays: it is the one TE that HTTP/2 allows, and
     * gRPC servers rely on it.
     */
    static void dropHopByHop(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                dropListed(headers, value);
            }
        }
        for (AsciiString hopByHop : HOP_BY_HOP) {
            headers.remove(hopByHop);
        }
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !(headers.getAll(HttpHeaderNames.TE).size() == 1 && isTrailers(te))) {
            headers.remove(HttpHeaderNames.TE);
        }
    }

    /** Whether {@code name}, one of Netty's {@link HttpHeaderNames} constants, is a hop-by-hop header (the identity is the test). */
    static boolean isHopByHop(AsciiString name) {
        for (AsciiString hopByHop : HOP_BY_HOP) {
            if (name == hopByHop) {
                return true;
            }
        }
        return false;
    }

    /** Whether a TE value is "trailers", the one TE that passes a hop (and that HTTP/2 allows). */
    static boolean isTrailers(CharSequence te) {
        return AsciiString.contentEqualsIgnoreCase(AsciiString.trim(te), HttpHeaderValues.TRAILERS);
    }

    /** Drops the headers named in one Connection value (comma-separated), but TE, which is judged on its own. */
    private static void dropListed(HttpHeaders headers, String connection) {
        for (int start = 0; start <= connection.length(); ) {
            int end = connection.indexOf(',', start);
            if (end < 0) {
                end = connection.length();
            }
            CharSequence listed = AsciiString.trim(connection.subSequence(start, end));
            if (listed.length() > 0 && !AsciiString.contentEqualsIgnoreCase(listed, HttpHeaderNames.TE)) {
                headers.remove(listed);
            }
            start = end + 1;
        }
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

    /** The request headers {@code from} the client as the backend gets them, in {@code to}; see {@link #request(HttpHeaders, InetSocketAddress, boolean, String)}. */
    static void request(HttpHeaders from, HttpHeaders to, InetSocketAddress client, boolean https, String clientCertificate) {
        to.add(from);
        request(to, client, https, clientCertificate);
    }

    /**
     * Turns a client's request headers, in place, into those the backend gets: end-to-end headers only, the client's
     * address appended to X-Forwarded-For, X-Forwarded-Proto, and XFCC only from a verified certificate.
     *
     * @param clientCertificate the XFCC value of the verified client certificate, or null
     */
    static void request(HttpHeaders headers, InetSocketAddress client, boolean https, String clientCertificate) {
        dropHopByHop(headers);
        headers.remove(XFCC);
        String clientAddress = client == null ? "unknown" : client.getAddress() == null ? client.getHostString()
                : client.getAddress().getHostAddress();
        String previous = headers.get("x-forwarded-for");
        headers.set("x-forwarded-for", previous == null || previous.isBlank() ? clientAddress : previous + ", " + clientAddress);
        headers.set("x-forwarded-proto", https ? "https" : "http");
        if (clientCertificate != null) {
            headers.set(XFCC, clientCertificate);
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
