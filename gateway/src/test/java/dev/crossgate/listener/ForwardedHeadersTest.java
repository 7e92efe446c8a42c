package dev.crossgate.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class ForwardedHeadersTest {

    @Test
    void hopByHopHeadersAndThoseTheConnectionHeaderNamesStayBehindInAnyCase() {
        HttpHeaders from = new DefaultHttpHeaders()
                .add("Host", "api.internal")
                .add("Connection", "keep-alive, X-Session-Hop")
                .add("connection", "Another-Hop,  third")
                .add("Keep-Alive", "timeout=5")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "h2c")
                .add("Proxy-Authorization", "Basic xyz")
                .add("x-session-hop", "1")
                .add("ANOTHER-HOP", "2")
                .add("Accept", "text/plain")
                .add("Accept", "application/json")
                .add("X-Another-Hop-Not", "kept")
                .add("Third", "3");
        HttpHeaders to = new DefaultHttpHeaders();

        ForwardedHeaders.copyEndToEnd(from, to);

        assertThat(to.names()).containsExactlyInAnyOrder("Host", "Accept", "X-Another-Hop-Not");
        assertThat(to.getAll("accept")).containsExactly("text/plain", "application/json");
    }

    @Test
    void teTrailersPassesForGrpcAndAnyOtherTeDoesNot() {
        HttpHeaders to = new DefaultHttpHeaders();
        ForwardedHeaders.copyEndToEnd(new DefaultHttpHeaders().add("TE", "Trailers"), to);
        assertThat(to.get("te")).isEqualTo("Trailers");

        HttpHeaders other = new DefaultHttpHeaders();
        ForwardedHeaders.copyEndToEnd(new DefaultHttpHeaders().add("te", "gzip"), other);
        assertThat(other.isEmpty()).isTrue();
    }

    @Test
    void theClientsAddressIsAppendedAndAClientMadeCertificateHeaderIsDropped() {
        HttpHeaders from = new DefaultHttpHeaders().add("X-Forwarded-For", "203.0.113.7")
                .add(ForwardedHeaders.XFCC, "Hash=forged");
        HttpHeaders to = new DefaultHttpHeaders();

        ForwardedHeaders.request(from, to, new InetSocketAddress("127.0.0.1", 40000), true, null);

        assertThat(to.get("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(to.get("x-forwarded-proto")).isEqualTo("https");
        assertThat(to.contains(ForwardedHeaders.XFCC)).isFalse();

        HttpHeaders verified = new DefaultHttpHeaders();
        ForwardedHeaders.request(from, verified, new InetSocketAddress("127.0.0.1", 40000), false, "Hash=abc;Subject=\"CN=a\"");
        assertThat(verified.getAll(ForwardedHeaders.XFCC)).containsExactly("Hash=abc;Subject=\"CN=a\"");
        assertThat(verified.get("x-forwarded-proto")).isEqualTo("http");
    }
}
