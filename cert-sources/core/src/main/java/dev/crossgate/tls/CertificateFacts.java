package dev.crossgate.tls;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/** What operators need to know about a certificate, derived once so that logs and endpoints never re-parse. */
public record CertificateFacts(
        String subject,
        List<SubjectAltName> subjectAltNames,
        String issuer,
        String serial,
        Instant notBefore,
        Instant notAfter,
        String sha256Fingerprint,
        String keyDescription) {

    public CertificateFacts {
        subjectAltNames = List.copyOf(subjectAltNames);
    }

    public static CertificateFacts of(X509Certificate certificate) {
        return new CertificateFacts(
                certificate.getSubjectX500Principal().getName(),
                subjectAltNames(certificate),
                certificate.getIssuerX500Principal().getName(),
                hexSerial(certificate.getSerialNumber()),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                sha256(certificate),
                Keys.describe(certificate.getPublicKey()));
    }

    /** Whole seconds until {@code notAfter}, never negative: what expiry gauges and {@code /certs} show. */
    public long secondsToExpiry(Instant now) {
        return Math.max(0, java.time.Duration.between(now, notAfter).toSeconds());
    }

    /** The serial as colon-free lower-case hex, the form openssl prints with {@code -serial}. */
    static String hexSerial(BigInteger serial) {
        return serial.toString(16);
    }

    private static List<SubjectAltName> subjectAltNames(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        List<SubjectAltName> result = new ArrayList<>(names.size());
        for (List<?> entry : names) {
            SubjectAltName.Type type = SubjectAltName.Type.fromGeneralNameTag((Integer) entry.get(0));
            if (type != null && entry.get(1) instanceof String value) {
                result.add(type == SubjectAltName.Type.DNS ? SubjectAltName.dns(value) : new SubjectAltName(type, value));
            }
        }
        return result;
    }

    private static String sha256(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("SHA-256 of a parsed certificate cannot fail", e);
        }
    }
}
