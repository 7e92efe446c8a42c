package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

import dev.crossgate.config.TlsPolicy;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;

/**
 * What AWS-LC signs for BoringSSL verifies with the JDK's own code under the TLS signature scheme BoringSSL named (the
 * digest, PSS's salt); the TLS handshakes themselves are in test-e2e ListenerTlsTest, against openssl s_client.
 */
class RsaKeyOffloadTest {

    private static final KeyPair RSA = KeyType.RSA_2048.generate();
    private static final KeyPair EC = KeyType.EC_P256.generate();
    private static final byte[] MESSAGE = "the handshake transcript BoringSSL hands over".getBytes(StandardCharsets.US_ASCII);

    private RsaKeyOffload offload;

    @org.junit.jupiter.api.BeforeAll
    static void loadNettyTcnative() {
        // BoringSSL calls the method only once netty-tcnative is loaded; its scheme constants need the library
        io.netty.handler.ssl.OpenSsl.ensureAvailability();
    }

    @BeforeEach
    void offloadBothKeys() throws Exception {
        offload = RsaKeyOffload.of(AmazonCorrettoCryptoProvider.INSTANCE, List.of(EC.getPrivate(), RSA.getPrivate()));
    }

    @ParameterizedTest
    @CsvSource({
            "SSL_SIGN_RSA_PSS_RSAE_SHA256, RSASSA-PSS, SHA-256, 32",
            "SSL_SIGN_RSA_PSS_RSAE_SHA384, RSASSA-PSS, SHA-384, 48",
            "SSL_SIGN_RSA_PSS_RSAE_SHA512, RSASSA-PSS, SHA-512, 64",
            "SSL_SIGN_RSA_PKCS1_SHA256, SHA256withRSA, , ",
            "SSL_SIGN_RSA_PKCS1_SHA384, SHA384withRSA, , ",
            "SSL_SIGN_RSA_PKCS1_SHA512, SHA512withRSA, , ",
            "SSL_SIGN_RSA_PKCS1_SHA1, SHA1withRSA, , ",
            "SSL_SIGN_ECDSA_SECP256R1_SHA256, SHA256withECDSA, , ",
    })
    void eachSchemeVerifiesWithTheJdk(String tlsName, String jcaName, String pssDigest, Integer saltLength) throws Exception {
        int algorithm = OpenSslPrivateKeyMethod.class.getField(tlsName).getInt(null);
        byte[] signed = offload.sign(null, algorithm, MESSAGE);

        Signature verifier = Signature.getInstance(jcaName); // the JDK's own provider: the offload's is not used here
        if (pssDigest != null) {
            verifier.setParameter(new PSSParameterSpec(pssDigest, "MGF1", new MGF1ParameterSpec(pssDigest), saltLength, 1));
        }
        verifier.initVerify(jcaName.endsWith("ECDSA") ? EC.getPublic() : RSA.getPublic());
        verifier.update(MESSAGE);
        assertThat(verifier.verify(signed)).as(tlsName).isTrue();
        assertThat(verifier.getProvider().getName()).isNotEqualTo(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
    }

    @Test
    void rsaKeyExchangeDecryptsWhatThePublicKeyEncrypted() throws Exception {
        RSAPublicKey publicKey = (RSAPublicKey) RSA.getPublic();
        BigInteger secret = new BigInteger(1, "premaster".getBytes(StandardCharsets.US_ASCII));
        byte[] encrypted = unsigned(secret.modPow(publicKey.getPublicExponent(), publicKey.getModulus()), 256);
        assertThat(new BigInteger(1, offload.decrypt(null, encrypted))).isEqualTo(secret);
    }

    @Test
    void aSchemeItDoesNotKnowFailsTheHandshakeNamingTheSetting() throws Exception {
        long failuresBefore = RsaKeyOffload.failures();
        assertThatThrownBy(() -> offload.sign(null, OpenSslPrivateKeyMethod.SSL_SIGN_ED25519, MESSAGE))
                .isInstanceOf(NoSuchAlgorithmException.class).hasMessageContaining("crossgate.tls.rsa-offload");
        RsaKeyOffload rsaOnly = RsaKeyOffload.of(AmazonCorrettoCryptoProvider.INSTANCE, List.of(RSA.getPrivate()));
        assertThatThrownBy(() -> rsaOnly.sign(null, OpenSslPrivateKeyMethod.SSL_SIGN_ECDSA_SECP256R1_SHA256, MESSAGE))
                .hasMessageContaining("without such a key");
        assertThat(RsaKeyOffload.failures() - failuresBefore).as("tls.rsa_offload.failures").isEqualTo(2);
    }

    @Test
    void onlyContextsWithAnRsaKeyAndTheSettingOnAreOffloaded() {
        TlsPolicy off = new TlsPolicy(TlsPolicy.STRICT_PROTOCOLS, TlsPolicy.STRICT_CIPHER_SUITES, TlsPolicy.STRICT_GROUPS, true,
                TlsPolicy.DEFAULT_MAX_CONNECTION_AGE, TlsPolicy.Library.BORINGSSL, false);
        assertThat(RsaKeyOffload.forKeys(List.of(RSA.getPrivate()), TlsPolicy.STRICT)).isNotNull();
        assertThat(RsaKeyOffload.forKeys(List.of(EC.getPrivate(), RSA.getPrivate()), TlsPolicy.STRICT)).isNotNull();
        assertThat(RsaKeyOffload.forKeys(List.of(EC.getPrivate()), TlsPolicy.STRICT)).as("BoringSSL's P-256 is as fast").isNull();
        assertThat(RsaKeyOffload.forKeys(List.of(RSA.getPrivate()), off)).isNull();
    }

    @Test
    void aProviderThatRefusesAKeyLeavesTheContextToBoringSsl() {
        // the JDK's RSA provider has no EC key factory: the ECDSA key beside the RSA one is refused
        assertThat(RsaKeyOffload.in(java.security.Security.getProvider("SunRsaSign"), List.of(EC.getPrivate(), RSA.getPrivate()))).isNull();
        assertThat(RsaKeyOffload.in(java.security.Security.getProvider("SunRsaSign"), List.of(RSA.getPrivate()))).isNotNull();
        assertThat(RsaKeyOffload.in(null, List.of(RSA.getPrivate()))).as("AWS-LC did not load").isNull();
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        byte[] padded = new byte[length];
        int copied = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copied, padded, length - copied, copied);
        return padded;
    }
}
