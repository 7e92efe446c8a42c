package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SanMatcherTest {

    @Test
    void wildcardCoversExactlyOneLeftMostLabel() {
        assertThat(SanMatcher.dnsMatches("*.example.com", "a.example.com")).isTrue();
        assertThat(SanMatcher.dnsMatches("*.example.com", "A.Example.COM.")).isTrue();
        assertThat(SanMatcher.dnsMatches("*.example.com", "example.com")).isFalse();
        assertThat(SanMatcher.dnsMatches("*.example.com", "a.b.example.com")).isFalse();
        assertThat(SanMatcher.dnsMatches("*.example.com", ".example.com")).isFalse();
        assertThat(SanMatcher.dnsMatches("example.com", "example.com")).isTrue();
        assertThat(SanMatcher.dnsMatches("a*.example.com", "ab.example.com")).isFalse(); // partial-label wildcards are not honoured
    }

    @Test
    void allowedSansByType() {
        List<SubjectAltName> agent = List.of(SubjectAltName.dns("agent.region-a.internal"), SubjectAltName.uri("spiffe://example.org/agent"),
                SubjectAltName.ip("10.0.0.7"));
        assertThat(SanMatcher.allowed(List.of("spiffe://example.org/agent"), agent)).isTrue();
        assertThat(SanMatcher.allowed(List.of("spiffe://example.org/other"), agent)).isFalse();
        assertThat(SanMatcher.allowed(List.of("*.region-a.internal"), agent)).isTrue();
        assertThat(SanMatcher.allowed(List.of("*.internal"), agent)).isFalse();
        assertThat(SanMatcher.allowed(List.of("10.0.0.7"), agent)).isTrue();
        assertThat(SanMatcher.allowed(List.of("10.0.0.8"), agent)).isFalse();
        // a DNS pattern never matches a URI that happens to contain it, nor the other way round
        assertThat(SanMatcher.allowed(List.of("example.org"), List.of(SubjectAltName.uri("spiffe://example.org/agent")))).isFalse();
        assertThat(SanMatcher.allowed(List.of("::1"), List.of(SubjectAltName.ip("0:0:0:0:0:0:0:1")))).isTrue();
    }

    @Test
    void serverCertificateMatchesTheNameDialled() {
        TestPki pki = TestPki.create("matcher-ca");
        var wildcard = pki.server("*.svc.internal", "10.1.2.3").certificate();
        assertThat(SanMatcher.certificateMatchesHost(wildcard, "orders.svc.internal")).isTrue();
        assertThat(SanMatcher.certificateMatchesHost(wildcard, "svc.internal")).isFalse();
        assertThat(SanMatcher.certificateMatchesHost(wildcard, "10.1.2.3")).isTrue();
        assertThat(SanMatcher.certificateMatchesHost(wildcard, "10.1.2.4")).isFalse();
        // the CN is only a fallback for certificates without any SAN
        var cnOnly = pki.issue("legacy.internal", KeyType.EC_P256.generate(), CertificateIssuer.Usage.SERVER).certificate();
        assertThat(SanMatcher.certificateMatchesHost(cnOnly, "legacy.internal")).isTrue();
        var withSan = pki.issue("cn.internal", KeyType.EC_P256.generate(), CertificateIssuer.Usage.SERVER, "san.internal").certificate();
        assertThat(SanMatcher.certificateMatchesHost(withSan, "cn.internal")).isFalse();
    }
}
