package dev.crossgate.tls;

import static dev.crossgate.tls.MaterialReaderTest.openssl;
import static dev.crossgate.tls.MaterialReaderTest.opensslAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Random;

import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysTest {

    /** Keys as users make them: their public half is compared with the certificate's, no signature needed. */
    @Test
    void keysWrittenByOpensslMatchTheirCertificateByTheirPublicHalf(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(opensslAvailable(), "openssl is not installed");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "p256.pem");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
        openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
        openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa2.pem");
        openssl(dir, "rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa1.pem"); // rsa's key in PKCS#1
        PublicKey other = null; // the certificate before, another key's
        for (String name : new String[] {"p256", "p384", "sec1", "rsa", "rsa2", "rsa1"}) {
            openssl(dir, "req", "-new", "-x509", "-key", name + ".pem", "-subj", "/CN=" + name, "-days", "1", "-out", name + ".crt");
            PrivateKey key = MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve(name + ".pem")), null, name);
            PublicKey certificateKey = MaterialReader.readCertificates(Files.readAllBytes(dir.resolve(name + ".crt")), name)
                    .get(0).getPublicKey();

            assertThat(Keys.carriesPublicHalfOf(key, certificateKey)).as(name).isTrue();
            assertThat(Keys.matches(key, certificateKey)).as(name).isTrue();
            if (other != null && other.getAlgorithm().equals(certificateKey.getAlgorithm())) {
                assertThat(Keys.carriesPublicHalfOf(key, other)).as(name + " against another key's certificate").isFalse();
                assertThat(Keys.matches(key, other)).as(name + " against another key's certificate").isFalse();
            }
            other = certificateKey;
        }
    }

    /** What {@code certs generate} writes: EC keys with their public point, in PKCS#8 and in SEC1, as openssl does. */
    @Test
    void keyPairsAreWrittenWithTheirPublicPoint() throws Exception {
        KeyPair pair = ecPair();
        for (String pem : new String[] {PemWriter.pkcs8(pair), PemWriter.traditional(pair)}) {
            PrivateKey read = MaterialReader.readPrivateKey(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII), null, "written");
            assertThat(((ECPrivateKey) read).getS()).isEqualTo(((ECPrivateKey) pair.getPrivate()).getS());
            assertThat(Keys.carriesPublicHalfOf(read, pair.getPublic())).as(pem.lines().findFirst().orElseThrow()).isTrue();
            assertThat(Keys.carriesPublicHalfOf(read, ecPair().getPublic())).isFalse();
        }
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        assertThat(PemWriter.pkcs8(rsa)).isEqualTo(PemWriter.pkcs8(rsa.getPrivate()));
    }

    @Test
    void aKeyThatDoesNotCarryItsPublicHalfIsCheckedByASignature() throws Exception {
        KeyPair pair = ecPair();
        KeyPair stranger = ecPair();

        assertThat(Keys.ecPublicPointOf(pair.getPrivate().getEncoded())).as("the JDK writes no public point").isNull();
        assertThat(Keys.carriesPublicHalfOf(pair.getPrivate(), pair.getPublic())).isFalse();
        assertThat(Keys.matches(pair.getPrivate(), pair.getPublic())).isTrue();
        assertThat(Keys.matches(pair.getPrivate(), stranger.getPublic())).isFalse();
    }

    @Test
    void aCarriedPointWithAShortCoordinateIsComparedAtItsFullWidth() throws Exception {
        KeyPair pair = null;
        for (int tries = 0; tries < 20_000 && pair == null; tries++) { // about 1 key in 128 has a coordinate under 2^248
            KeyPair candidate = ecPair();
            ECPublicKey key = (ECPublicKey) candidate.getPublic();
            if (key.getW().getAffineX().bitLength() <= 248 || key.getW().getAffineY().bitLength() <= 248) {
                pair = candidate;
            }
        }
        assertThat(pair).as("a key with a short coordinate").isNotNull();
        ECPublicKey publicKey = (ECPublicKey) pair.getPublic();
        byte[] point = new byte[65];
        point[0] = 4;
        place(publicKey.getW().getAffineX(), point, 1);
        place(publicKey.getW().getAffineY(), point, 33);
        PrivateKey withPoint = withPublicPoint((ECPrivateKey) pair.getPrivate(), point);

        assertThat(Keys.ecPublicPointOf(withPoint.getEncoded())).isEqualTo(point);
        assertThat(Keys.carriesPublicHalfOf(withPoint, publicKey)).isTrue();
        byte[] wrong = point.clone();
        wrong[64] ^= 1;
        assertThat(Keys.carriesPublicHalfOf(withPublicPoint((ECPrivateKey) pair.getPrivate(), wrong), publicKey))
                .as("a carried point that differs is no yes; the signature decides").isFalse();
    }

    @Test
    void encodingsThatAreNotAnEcKeyGiveNoPointAndThrowNothing() throws Exception {
        KeyPair pair = ecPair();
        byte[] point = new byte[65];
        point[0] = 4;
        byte[] encoded = withPublicPoint((ECPrivateKey) pair.getPrivate(), point).getEncoded();
        for (int length = 0; length < encoded.length; length++) {
            assertThat(Keys.ecPublicPointOf(Arrays.copyOf(encoded, length))).as("cut to %d bytes", length).isNull();
        }
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] mangled = encoded.clone();
            mangled[random.nextInt(mangled.length)] = (byte) random.nextInt(256);
            Keys.ecPublicPointOf(mangled); // null or some bytes, never an exception
        }
        assertThat(Keys.ecPublicPointOf(new byte[] {0x30, (byte) 0x84, 1, 2, 3, 4})).isNull();
    }

    private static KeyPair ecPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static void place(BigInteger coordinate, byte[] into, int offset) {
        byte[] bytes = coordinate.toByteArray();
        int skip = bytes.length > 32 ? 1 : 0;
        System.arraycopy(bytes, skip, into, offset + 32 - (bytes.length - skip), bytes.length - skip);
    }

    /** The key as OpenSSL writes it: RFC 5915's ECPrivateKey with the public point, inside PKCS#8. */
    private static PrivateKey withPublicPoint(ECPrivateKey key, byte[] point) throws Exception {
        org.bouncycastle.asn1.sec.ECPrivateKey structure = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(),
                new DERBitString(point), null);
        PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                SECObjectIdentifiers.secp256r1), structure);
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    }
}
