package dev.crossgate.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;

import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/** Writes certificates and keys in the encodings users meet: PEM (PKCS#8, PKCS#1/SEC1, encrypted) and DER. */
public final class PemWriter {

    private PemWriter() {
    }

    public static String certificates(X509Certificate... certificates) {
        return write(writer -> {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        });
    }

    /** {@code BEGIN PRIVATE KEY}: what Netty and grpc-java accept. */
    public static String pkcs8(PrivateKey key) {
        return write(writer -> writer.writeObject(new JcaPKCS8Generator(key, null)));
    }

    /**
     * {@code BEGIN PRIVATE KEY} of a key pair: an EC key carries its public point beside the scalar, as openssl writes it
     * (the JDK's encoding has none), so that a reader checks it against its certificate without a signature
     * ({@link Keys#matches}).
     */
    public static String pkcs8(KeyPair keys) {
        if (!(keys.getPublic() instanceof ECPublicKey point)) {
            return pkcs8(keys.getPrivate());
        }
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        byte[] der = encode(() -> new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), sec1(keys.getPrivate(), point, false)).getEncoded());
        return write(writer -> writer.writeObject(new PemObject("PRIVATE KEY", der)));
    }

    /** {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY} (SEC1): what openssl and Kubernetes hand out. */
    public static String traditional(PrivateKey key) {
        String type = "RSA".equals(key.getAlgorithm()) ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
        return write(writer -> writer.writeObject(new PemObject(type, traditionalDer(key))));
    }

    /** {@link #traditional(PrivateKey)} of a key pair: SEC1 with the public point too, as openssl writes it. */
    public static String traditional(KeyPair keys) {
        if (!(keys.getPublic() instanceof ECPublicKey point)) {
            return traditional(keys.getPrivate());
        }
        byte[] der = encode(() -> sec1(keys.getPrivate(), point, true).getEncoded());
        return write(writer -> writer.writeObject(new PemObject("EC PRIVATE KEY", der)));
    }

    /**
     * An EC key's SEC1 structure from the JDK's PKCS#8: with {@code point} when given, and with the curve inside when SEC1
     * readers need it there (the JDK keeps it in the PKCS#8 wrapper only).
     */
    private static ECPrivateKey sec1(PrivateKey key, ECPublicKey point, boolean curveInside) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey parsed = ECPrivateKey.getInstance(info.parsePrivateKey());
        return new ECPrivateKey(Keys.bits(key), parsed.getKey(),
                point == null ? parsed.getPublicKey() : new DERBitString(Keys.uncompressedPoint(point)),
                curveInside ? info.getPrivateKeyAlgorithm().getParameters() : null);
    }

    private interface Encoding {
        byte[] get() throws IOException;
    }

    private static byte[] encode(Encoding encoding) {
        try {
            return encoding.get();
        } catch (IOException e) {
            throw new IllegalStateException("re-encoding a key the JDK produced cannot fail", e);
        }
    }

    /** {@code BEGIN ENCRYPTED PRIVATE KEY}: PKCS#8 with PBES2 and AES-256-CBC, as {@code openssl pkcs8 -topk8} writes. */
    public static String encryptedPkcs8(PrivateKey key, char[] password) {
        return write(writer -> {
            try {
                var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(BouncyCastleJce.provider()).setPassword(password).build();
                writer.writeObject(new JcaPKCS8Generator(key, encryptor));
            } catch (OperatorCreationException e) {
                throw new IOException("cannot set up PKCS#8 encryption", e);
            }
        });
    }

    /** {@code BEGIN CERTIFICATE REQUEST}. */
    public static String request(org.bouncycastle.pkcs.PKCS10CertificationRequest request) {
        return write(writer -> writer.writeObject(request));
    }

    /** The DER form of the traditional encoding (PKCS#1 for RSA, SEC1 for EC with its named curve, as openssl writes it). */
    public static byte[] traditionalDer(PrivateKey key) {
        if (!"RSA".equals(key.getAlgorithm()) && !"EC".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException(key.getAlgorithm() + " keys have no traditional encoding; use PKCS#8");
        }
        if ("RSA".equals(key.getAlgorithm())) {
            return encode(() -> PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded());
        }
        return encode(() -> sec1(key, null, true).getEncoded());
    }

    private interface Body {
        void writeTo(JcaPEMWriter writer) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            body.writeTo(writer);
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }
}
