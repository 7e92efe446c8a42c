package dev.crossgate.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues X.509 certificates with BouncyCastle's builders and the JDK's signers: the development CA of
 * {@code certs generate} and {@code demo}, and the certificates tests need.
 */
public final class CertificateIssuer {

    private static final SecureRandom RANDOM = new SecureRandom();

    public enum Usage { SERVER, CLIENT, SERVER_AND_CLIENT }

    /** A certificate with the key pair it was issued to. */
    public record Issued(KeyPair keyPair, X509Certificate certificate) {
        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + "]";
        }
    }

    private CertificateIssuer() {
    }

    public static Issued rootCa(String commonName, KeyPair keys, Instant notBefore, Instant notAfter) {
        X500Name name = new X500Name("CN=" + commonName);
        return sign(name, keys, name, keys, notBefore, notAfter, builder -> caExtensions(builder, keys, keys, 1));
    }

    public static Issued intermediateCa(Issued parent, String commonName, KeyPair keys, Instant notBefore, Instant notAfter) {
        return sign(new X500Name("CN=" + commonName), keys, issuerName(parent), parent.keyPair(), notBefore, notAfter,
                builder -> caExtensions(builder, keys, parent.keyPair(), 0));
    }

    public static Issued leaf(Issued ca, String commonName, List<SubjectAltName> sans, Usage usage, KeyPair keys,
                              Instant notBefore, Instant notAfter) {
        return sign(new X500Name("CN=" + commonName), keys, issuerName(ca), ca.keyPair(), notBefore, notAfter, builder -> {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int keyUsage = KeyUsage.digitalSignature | ("RSA".equals(keys.getPublic().getAlgorithm()) ? KeyUsage.keyEncipherment : 0);
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes(usage)));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca.certificate()));
            if (!sans.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, generalNames(sans));
            }
        });
    }

    /** Parses "localhost", "127.0.0.1", "::1", "spiffe://x/y" into typed names. */
    public static SubjectAltName nameOf(String host) {
        String trimmed = host.trim();
        if (trimmed.contains("://")) {
            return SubjectAltName.uri(trimmed);
        }
        if (looksLikeIp(trimmed)) {
            return SubjectAltName.ip(trimmed);
        }
        return SubjectAltName.dns(trimmed);
    }

    private static boolean looksLikeIp(String text) {
        return text.contains(":") || text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws CertIOException, java.security.NoSuchAlgorithmException, CertificateException;
    }

    private static X500Name issuerName(Issued issuer) {
        return X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
    }

    private static Issued sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                               Instant notBefore, Instant notAfter, Extensions extensions) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
            extensions.add(builder);
            var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(issuerKeys.getPrivate())).build(issuerKeys.getPrivate());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new Issued(subjectKeys, certificate);
        } catch (CertIOException | CertificateException | OperatorCreationException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("issuing a certificate for " + subject + " failed", e);
        }
    }

    private static void caExtensions(X509v3CertificateBuilder builder, KeyPair subjectKeys, KeyPair issuerKeys, int pathLength)
            throws CertIOException, java.security.NoSuchAlgorithmException {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
    }

    private static KeyPurposeId[] purposes(Usage usage) {
        return switch (usage) {
            case SERVER -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
            case CLIENT -> new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
            case SERVER_AND_CLIENT -> new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
        };
    }

    /** The subjectAltName extension value, shared by issued certificates and certificate requests. */
    static GeneralNames generalNames(List<SubjectAltName> sans) {
        List<GeneralName> names = new ArrayList<>(sans.size());
        for (SubjectAltName san : sans) {
            names.add(switch (san.type()) {
                case DNS -> new GeneralName(GeneralName.dNSName, san.value());
                case IP -> new GeneralName(GeneralName.iPAddress, ipBytesAsText(san.value()));
                case URI -> new GeneralName(GeneralName.uniformResourceIdentifier, san.value());
                case EMAIL -> new GeneralName(GeneralName.rfc822Name, san.value());
            });
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** BouncyCastle parses the textual IP; this only rejects names that are not addresses, with a clear message. */
    private static String ipBytesAsText(String address) {
        try {
            return InetAddress.getByName(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + address + "' is not an IP address", e);
        }
    }
}
