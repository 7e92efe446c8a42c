package dev.crossgate.listener;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import dev.crossgate.tls.CertificateFacts;
import dev.crossgate.tls.SubjectAltName;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What a reverse proxy must do to headers on the way through: drop hop-by-hop headers (RFC 9110 7.6.1),
 * add {@code X-Forwarded-For/-Proto}, and pass the verified client identity in Envoy's
 * {@code x-forwarded-client-cert} form, never one the client made up.
 */
final class ForwardedHeaders {

    static final String XFCC = "x-forwarded-client-cert";
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    private ForwardedHeaders() {
    }

    static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
        Set<String> listed = new HashSet<>();
        for (String value : from.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                listed.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        from.forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            // "te: trailers" is the one TE that HTTP/2 allows, and gRPC servers rely on it
            boolean teTrailers = name.equals("te") && header.getValue().trim().equalsIgnoreCase("trailers");
            if (teTrailers || (!HOP_BY_HOP.contains(name) && !listed.contains(name))) {
                to.add(header.getKey(), header.getValue());
            }
        });
    }

    static void request(HttpHeaders from, HttpHeaders to, InetSocketAddress client, boolean https, X509Certificate peer) {
        copyEndToEnd(from, to);
        to.remove(XFCC);
        String clientAddress = client == null ? "unknown" : client.getAddress() == null ? client.getHostString()
                : client.getAddress().getHostAddress();
        String previous = from.get("x-forwarded-for");
        to.set("x-forwarded-for", previous == null || previous.isBlank() ? clientAddress : previous + ", " + clientAddress);
        to.set("x-forwarded-proto", https ? "https" : "http");
        if (peer != null) {
            to.set(XFCC, xfcc(peer));
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
