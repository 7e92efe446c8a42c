package dev.crossgate.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;

class Http2ResponseHeadersTest {

    private static HttpResponse response(HttpHeaders headers) {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED, headers);
    }

    private static List<String> lines(Http2Headers headers) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            lines.add(header.getKey() + ": " + header.getValue());
        }
        return lines;
    }

    @Test
    void namesInAnyCaseArriveLowerCaseWithTheirValuesInOrder() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Content-Type", "text/plain")
                .add("SET-COOKIE", "a=1")
                .add("set-cookie", "b=2")
                .add("X-Backend-Node", "Node-7")
                .add("grpc-Status", "0")
                .add("x-already-lower", "v");

        Http2Headers converted = Http2ResponseHeaders.of(response(headers));

        assertThat(lines(converted)).containsExactly(":status: 201", "content-type: text/plain", "set-cookie: a=1",
                "set-cookie: b=2", "x-backend-node: Node-7", "grpc-status: 0", "x-already-lower: v");
        // the same as Netty's general conversion gives
        assertThat(lines(converted)).isEqualTo(lines(HttpConversionUtil.toHttp2Headers(response(headers), true)));
        // a well-known name is Netty's constant, whose hash the HPACK encoder has cached
        assertThat(converted.names()).anySatisfy(name -> assertThat(name).isSameAs(HttpHeaderNames.CONTENT_TYPE));
    }

    @Test
    void connectionSpecificHeadersStayBehindAndTeOnlyAsTrailers() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "h2c")
                .add("Host", "backend.internal")
                .add("TE", "Trailers")
                .add("Vary", "Accept");

        assertThat(lines(Http2ResponseHeaders.of(response(headers)))).containsExactly(":status: 201", "te: trailers", "vary: Accept");

        headers.set("TE", "gzip");
        assertThat(lines(Http2ResponseHeaders.of(response(headers)))).containsExactly(":status: 201", "vary: Accept");
    }

    private static HttpHeaders withConnectionHeader() {
        return new DefaultHttpHeaders()
                .add("Connection", "close, X-Hop")
                .add("X-Hop", "1")
                .add("ETag", "\"abc\"");
    }

    @Test
    void aConnectionHeaderAndTheHeadersItNamesStayBehind() {
        assertThat(lines(Http2ResponseHeaders.of(response(withConnectionHeader())))).containsExactly(":status: 201", "etag: \"abc\"");
        assertThat(lines(Http2ResponseHeaders.trailers(withConnectionHeader()))).containsExactly("etag: \"abc\"");
    }

    @Test
    void trailersHaveNoStatus() {
        HttpHeaders trailers = new DefaultHttpHeaders().add("Grpc-Status", "13").add("Grpc-Message", "backend%20failed");

        assertThat(lines(Http2ResponseHeaders.trailers(trailers))).containsExactly("grpc-status: 13", "grpc-message: backend%20failed");
    }
}
