package dev.crossgate.tls;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import javax.crypto.Cipher;
import javax.net.ssl.SSLEngine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

import dev.crossgate.config.TlsPolicy;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import io.netty.handler.ssl.SslProvider;

/**
 * {@code crossgate.tls.rsa-offload}: the private-key operations of BoringSSL handshakes with an RSA certificate, done by
 * AWS-LC (inside the Amazon Corretto Crypto Provider in the jar) while BoringSSL does the rest. BoringSSL has no RSA code
 * for AVX-512 IFMA; AWS-LC, like the OpenSSL that nginx and HAProxy use, signs RSA-2048 about twice as fast on CPUs that
 * have it (bench/ s2). The keys are handed to AWS-LC once per context, so a signature costs no key conversion.
 * When AWS-LC cannot be loaded here (another CPU architecture than the jar carries it for, no writable temporary
 * directory), BoringSSL signs, as it does with the setting off, and a WARN says why.
 */
public final class RsaKeyOffload implements OpenSslPrivateKeyMethod {

    private static final Logger LOG = LoggerFactory.getLogger(RsaKeyOffload.class);
    /** Process-wide, like the library: {@code tls.rsa_offload.operations} and {@code .failures} in /stats. */
    private static final LongAdder OPERATIONS = new LongAdder();
    private static final LongAdder FAILURES = new LongAdder();

    /** Loaded at the first RSA context, so that ECDSA-only gateways never unpack it. */
    private static final class AwsLc {
        static final Provider PROVIDER = load();
    }

    /** How each TLS signature algorithm is made with the JCA; BoringSSL hands over the message, not its digest. */
    private record Scheme(String jcaName, AlgorithmParameterSpec parameters, boolean rsa) {
    }

    /** Made at the first signature: the constants come from netty-tcnative, which is not there when the JDK provider serves. */
    private static final class Schemes {
        static final Map<Integer, Scheme> BY_ALGORITHM = Map.ofEntries(
                Map.entry(SSL_SIGN_RSA_PSS_RSAE_SHA256, pss("SHA-256", MGF1ParameterSpec.SHA256, 32)),
                Map.entry(SSL_SIGN_RSA_PSS_RSAE_SHA384, pss("SHA-384", MGF1ParameterSpec.SHA384, 48)),
                Map.entry(SSL_SIGN_RSA_PSS_RSAE_SHA512, pss("SHA-512", MGF1ParameterSpec.SHA512, 64)),
                Map.entry(SSL_SIGN_RSA_PKCS1_SHA256, new Scheme("SHA256withRSA", null, true)),
                Map.entry(SSL_SIGN_RSA_PKCS1_SHA384, new Scheme("SHA384withRSA", null, true)),
                Map.entry(SSL_SIGN_RSA_PKCS1_SHA512, new Scheme("SHA512withRSA", null, true)),
                Map.entry(SSL_SIGN_RSA_PKCS1_SHA1, new Scheme("SHA1withRSA", null, true)),
                // an ECDSA identity beside the RSA one (IdentityKeyManager) is signed here too: the method serves the whole context
                Map.entry(SSL_SIGN_ECDSA_SECP256R1_SHA256, new Scheme("SHA256withECDSA", null, false)),
                Map.entry(SSL_SIGN_ECDSA_SECP384R1_SHA384, new Scheme("SHA384withECDSA", null, false)),
                Map.entry(SSL_SIGN_ECDSA_SECP521R1_SHA512, new Scheme("SHA512withECDSA", null, false)),
                Map.entry(SSL_SIGN_ECDSA_SHA1, new Scheme("SHA1withECDSA", null, false)));
    }

    private final Provider provider;
    private final PrivateKey rsa;
    /** The context's ECDSA key, if it has one beside the RSA key. */
    private final PrivateKey ec;

    private RsaKeyOffload(Provider provider, PrivateKey rsa, PrivateKey ec) {
        this.provider = provider;
        this.rsa = rsa;
        this.ec = ec;
    }

    /**
     * The offload for a listener context with {@code keys}, when the policy asks for it, BoringSSL is the library, one of the
     * keys is RSA and AWS-LC loads and takes the keys; else null, and BoringSSL signs. The context must then be keyless
     * (BoringSSL signs itself with a key it holds) and carry this as its {@link OpenSslContextOption#PRIVATE_KEY_METHOD}.
     */
    static RsaKeyOffload forKeys(List<PrivateKey> keys, TlsPolicy policy) {
        if (!policy.rsaOffload() || policy.library() != TlsPolicy.Library.BORINGSSL || TlsContexts.provider() != SslProvider.OPENSSL
                || keys.stream().noneMatch(key -> key.getAlgorithm().equals("RSA"))) {
            return null;
        }
        return in(AwsLc.PROVIDER, keys);
    }

    /** The offload for {@code keys} in {@code provider}, or null (BoringSSL signs) when it did not load or refuses a key. */
    static RsaKeyOffload in(Provider provider, List<PrivateKey> keys) {
        if (provider == null) {
            return null;
        }
        try {
            return of(provider, keys);
        } catch (GeneralSecurityException e) {
            // the material passed validation: a key AWS-LC refuses is not a reason to stop serving it
            LOG.warn("crossgate.tls.rsa-offload: AWS-LC refused a key, BoringSSL signs for this certificate: {}", HandshakeFailure.messages(e));
            return null;
        }
    }

    /** The offload for {@code keys} (one RSA key, at most one ECDSA key) in {@code provider}'s own key objects. */
    static RsaKeyOffload of(Provider provider, List<PrivateKey> keys) throws GeneralSecurityException {
        PrivateKey rsa = null;
        PrivateKey ec = null;
        for (PrivateKey key : keys) {
            PrivateKey translated = KeyFactory.getInstance(key.getAlgorithm(), provider).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
            if (key.getAlgorithm().equals("RSA")) {
                rsa = translated;
            } else {
                ec = translated;
            }
        }
        return new RsaKeyOffload(provider, rsa, ec);
    }

    /** Signatures and decryptions AWS-LC made for handshakes. */
    public static long operations() {
        return OPERATIONS.sum();
    }

    /** Those that failed, each failing its handshake. */
    public static long failures() {
        return FAILURES.sum();
    }

    @Override
    public byte[] sign(SSLEngine engine, int signatureAlgorithm, byte[] input) throws GeneralSecurityException {
        return counted(() -> signWith(signatureAlgorithm, input));
    }

    /** TLS 1.2's RSA key exchange, where a policy allows its cipher suites: the raw RSA operation, BoringSSL strips the padding. */
    @Override
    public byte[] decrypt(SSLEngine engine, byte[] input) throws GeneralSecurityException {
        return counted(() -> decryptWith(input));
    }

    private interface Operation {
        byte[] run() throws GeneralSecurityException;
    }

    private static byte[] counted(Operation operation) throws GeneralSecurityException {
        OPERATIONS.increment();
        try {
            return operation.run();
        } catch (GeneralSecurityException | RuntimeException e) {
            FAILURES.increment();
            throw e;
        }
    }

    private byte[] signWith(int signatureAlgorithm, byte[] input) throws GeneralSecurityException {
        Scheme scheme = Schemes.BY_ALGORITHM.get(signatureAlgorithm);
        if (scheme == null) {
            throw new NoSuchAlgorithmException("TLS signature algorithm 0x" + Integer.toHexString(signatureAlgorithm)
                    + " is not offloaded to AWS-LC (crossgate.tls.rsa-offload)");
        }
        PrivateKey key = scheme.rsa() ? rsa : ec;
        if (key == null) {
            throw new InvalidKeyException(scheme.jcaName() + " asked of a context without such a key (crossgate.tls.rsa-offload)");
        }
        Signature signature = Signature.getInstance(scheme.jcaName(), provider);
        if (scheme.parameters() != null) {
            signature.setParameter(scheme.parameters());
        }
        signature.initSign(key);
        signature.update(input);
        return signature.sign();
    }

    private byte[] decryptWith(byte[] input) throws GeneralSecurityException {
        if (rsa == null) {
            throw new InvalidKeyException("RSA decryption asked of a context without an RSA key (crossgate.tls.rsa-offload)");
        }
        Cipher cipher = Cipher.getInstance("RSA/ECB/NoPadding", provider);
        cipher.init(Cipher.DECRYPT_MODE, rsa);
        return cipher.doFinal(input);
    }

    private static Scheme pss(String digest, MGF1ParameterSpec mgf, int saltLength) {
        return new Scheme("RSASSA-PSS", new PSSParameterSpec(digest, "MGF1", mgf, saltLength, PSSParameterSpec.TRAILER_FIELD_BC), true);
    }

    private static Provider load() {
        try {
            AmazonCorrettoCryptoProvider provider = AmazonCorrettoCryptoProvider.INSTANCE;
            provider.assertHealthy();
            LOG.info("RSA signatures of TLS handshakes by AWS-LC ({} {}); BoringSSL does the rest", provider.getName(), provider.getVersionStr());
            return provider;
        } catch (Throwable e) { // UnsatisfiedLinkError and the like: any failure to load means BoringSSL signs
            LOG.warn("crossgate.tls.rsa-offload: AWS-LC (Amazon Corretto Crypto Provider) could not be loaded, BoringSSL signs RSA"
                    + " handshakes, at about half the speed on CPUs with AVX-512 IFMA: {}", HandshakeFailure.messages(e));
            return null;
        }
    }
}
