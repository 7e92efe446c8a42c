package dev.crossgate.tls;

import java.io.IOException;
import java.security.KeyPair;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A PKCS#10 certificate request for a key generated in this process: what a CA such as ACM Private CA signs
 * without the private key ever leaving the gateway.
 */
public final class CertificateRequest {

    private CertificateRequest() {
    }

    /** The request for {@code CN=commonName} with these subject alternative names, signed by the key pair's private key. */
    public static PKCS10CertificationRequest build(String commonName, List<SubjectAltName> sans, KeyPair keys) {
        var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        var builder = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic());
        try {
            if (!sans.isEmpty()) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false, CertificateIssuer.generalNames(sans));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            return builder.build(new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate()));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("building a certificate request for CN=" + commonName + " failed", e);
        }
    }

    /** {@code BEGIN CERTIFICATE REQUEST}, as ACM Private CA's IssueCertificate takes it. */
    public static String pem(String commonName, List<SubjectAltName> sans, KeyPair keys) {
        return PemWriter.request(build(commonName, sans, keys));
    }
}
