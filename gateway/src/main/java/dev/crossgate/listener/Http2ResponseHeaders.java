package dev.crossgate.listener;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

/**
 * A backend's HTTP/1.1 response headers (or trailers) as the HTTP/2 headers of a forwarded stream.
 *
 * <p>Netty's {@link HttpConversionUtil#toHttp2Headers(HttpHeaders, boolean)} does this for any message: it lower-cases
 * a copy of every name, builds a map of the names the Connection header lists, and validates every name and value
 * again. A response reaching a stream has been through the HTTP/1.1 decoder (names and values validated) and
 * {@link ForwardedHeaders#dropHopByHop} (the Connection header and what it names are gone), so here a well-known name
 * becomes Netty's lower-case constant, whose hash the HPACK encoder finds cached, and only an unknown name is
 * lower-cased. Hop-by-hop headers, which HTTP/2 forbids (RFC 9113 8.2.2), are still left out, as trailers have not been
 * through dropHopByHop: they are all well-known names, so that costs no lookup of its own. Headers that still have a
 * Connection header go through dropHopByHop first, which removes what it names.
 */
final class Http2ResponseHeaders {

    private static final AsciiString[] GRPC = {AsciiString.cached("grpc-status"), AsciiString.cached("grpc-message"),
            AsciiString.cached("grpc-encoding"), AsciiString.cached("grpc-accept-encoding"),
            AsciiString.cached("grpc-status-details-bin")};
    /** Open addressing by Netty's case-insensitive ASCII hash; a slot holds a lower-case name, null when free. */
    private static final AsciiString[] KNOWN;
    private static final int MASK;

    static {
        List<AsciiString> names = new ArrayList<>(List.of(GRPC));
        for (Field field : HttpHeaderNames.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == AsciiString.class) {
                try {
                    names.add((AsciiString) field.get(null));
                } catch (IllegalAccessException impossible) {
                    throw new AssertionError(impossible);
                }
            }
        }
        KNOWN = new AsciiString[Integer.highestOneBit(names.size() * 4)];
        MASK = KNOWN.length - 1;
        for (AsciiString name : names) {
            int slot = AsciiString.hashCode(name) & MASK;
            while (KNOWN[slot] != null && !KNOWN[slot].contentEquals(name)) {
                slot = (slot + 1) & MASK;
            }
            KNOWN[slot] = name;
        }
    }

    private Http2ResponseHeaders() {
    }

    /** The response's status and headers. */
    static Http2Headers of(HttpResponse response) {
        return convert(response.headers(), response.status().codeAsText());
    }

    /** Trailers: the headers alone, no status. */
    static Http2Headers trailers(HttpHeaders trailers) {
        return convert(trailers, null);
    }

    private static Http2Headers convert(HttpHeaders headers, AsciiString status) {
        Http2Headers out = new DefaultHttp2Headers(false, headers.size() + 1);
        if (status != null) {
            out.status(status);
        }
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            ForwardedHeaders.dropHopByHop(headers); // in place: the message is not used again
        }
        var entries = headers.iteratorCharSequence();
        while (entries.hasNext()) {
            var entry = entries.next();
            AsciiString name = lowerCase(entry.getKey());
            CharSequence value = entry.getValue();
            if (name == HttpHeaderNames.TE) {
                if (ForwardedHeaders.isTrailers(value)) {
                    out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
                }
            } else if (name != HttpHeaderNames.HOST && !ForwardedHeaders.isHopByHop(name)) { // :authority is a request's
                out.add(name, value);
            }
        }
        return out;
    }

    /** The known constant for {@code name} in any case, else a lower-case copy (the name itself when it is lower-case). */
    private static AsciiString lowerCase(CharSequence name) {
        for (int slot = AsciiString.hashCode(name) & MASK; KNOWN[slot] != null; slot = (slot + 1) & MASK) {
            if (KNOWN[slot].contentEqualsIgnoreCase(name)) {
                return KNOWN[slot];
            }
        }
        return AsciiString.of(name).toLowerCase();
    }
}
