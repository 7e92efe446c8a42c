package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateRequestTest {

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
    void requestIsSignedByItsKeyAndCarriesTheNameAndEverySan(KeyType type) throws Exception {
        var keys = type.generate();
        String pem = CertificateRequest.pem("gateway-a", List.of(SubjectAltName.dns("gw.region-a.internal"),
                SubjectAltName.uri("spiffe://crossgate/gateway-a"), SubjectAltName.ip("10.1.2.3")), keys);
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");

        PKCS10CertificationRequest parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = (PKCS10CertificationRequest) parser.readObject();
        }
        assertThat(parsed.isSignatureValid(new JcaContentVerifierProviderBuilder().build(keys.getPublic()))).isTrue();
        assertThat(parsed.getSubject().toString()).isEqualTo("CN=gateway-a");
        Extensions extensions = Extensions.getInstance(
                parsed.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        GeneralName[] names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName).getNames();
        assertThat(names).extracting(GeneralName::getTagNo).containsExactly(GeneralName.dNSName,
                GeneralName.uniformResourceIdentifier, GeneralName.iPAddress);
        assertThat(names[0].getName().toString()).isEqualTo("gw.region-a.internal");
        assertThat(names[1].getName().toString()).isEqualTo("spiffe://crossgate/gateway-a");
    }

    @Test
    void requestWithoutSansHasNoExtensionRequest() {
        PKCS10CertificationRequest request = CertificateRequest.build("only-a-name", List.of(), KeyType.EC_P256.generate());
        assertThat(request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)).isEmpty();
    }
}
