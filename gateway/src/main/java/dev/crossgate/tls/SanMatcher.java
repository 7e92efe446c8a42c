package dev.crossgate.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

/**
 * Name matching by RFC 6125: a wildcard stands for exactly one whole left-most label, so
 * {@code *.example.com} matches {@code a.example.com} but neither {@code example.com} nor {@code a.b.example.com}.
 */
public final class SanMatcher {

    private SanMatcher() {
    }

    /** Whether a presented DNS name matches a pattern that may start with {@code *.}. */
    public static boolean dnsMatches(String pattern, String name) {
        String p = trimDot(pattern.toLowerCase(Locale.ROOT));
        String n = trimDot(name.toLowerCase(Locale.ROOT));
        if (!p.startsWith("*.")) {
            return p.equals(n);
        }
        String suffix = p.substring(1); // ".example.com"
        if (!n.endsWith(suffix)) {
            return false;
        }
        String label = n.substring(0, n.length() - suffix.length());
        return !label.isEmpty() && !label.contains(".") && !label.contains("*");
    }

    /**
     * Whether any identity of {@code presented} is allowed by a pattern: {@code scheme://} patterns
     * match URI SANs exactly (SPIFFE IDs), IP literals match IP SANs, anything else matches DNS SANs with wildcards.
     */
    public static boolean allowed(List<String> patterns, List<SubjectAltName> presented) {
        for (String pattern : patterns) {
            for (SubjectAltName san : presented) {
                if (matches(pattern.trim(), san)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean matches(String pattern, SubjectAltName san) {
        if (pattern.contains("://")) {
            return san.type() == SubjectAltName.Type.URI && san.value().equals(pattern);
        }
        if (isIpLiteral(pattern)) {
            return san.type() == SubjectAltName.Type.IP && sameAddress(pattern, san.value());
        }
        return san.type() == SubjectAltName.Type.DNS && dnsMatches(pattern, san.value());
    }

    /**
     * Whether a server certificate is valid for {@code serverName}: IP SANs for addresses, DNS SANs
     * (wildcards allowed in the certificate) for names; the subject CN only when the certificate has no SAN at all.
     */
    public static boolean certificateMatchesHost(X509Certificate certificate, String serverName) {
        List<SubjectAltName> sans = CertificateFacts.of(certificate).subjectAltNames();
        if (isIpLiteral(serverName)) {
            return sans.stream().anyMatch(san -> san.type() == SubjectAltName.Type.IP && sameAddress(serverName, san.value()));
        }
        if (sans.isEmpty()) {
            String cn = commonName(certificate);
            return cn != null && dnsMatches(cn, serverName);
        }
        return sans.stream().anyMatch(san -> san.type() == SubjectAltName.Type.DNS && dnsMatches(san.value(), serverName));
    }

    public static boolean isIpLiteral(String text) {
        return text.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (text.contains(":") && text.matches("[0-9a-fA-F:.\\[\\]%]+"));
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(strip(a)).equals(InetAddress.getByName(strip(b)));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String strip(String address) {
        return address.replace("[", "").replace("]", "");
    }

    private static String trimDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    static String commonName(X509Certificate certificate) {
        for (String part : certificate.getSubjectX500Principal().getName().split(",")) {
            if (part.trim().startsWith("CN=")) {
                return part.trim().substring(3);
            }
        }
        return null;
    }
}
