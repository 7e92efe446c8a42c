package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MaterialReaderTest {

    private static final char[] PASSWORD = "correct horse".toCharArray();
    private static final TestPki PKI = TestPki.create("reader-test-ca");

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void readsPkcs8PemOfEveryKeyType(KeyType type) throws Exception {
        KeyPair keys = type.generate();
        PrivateKey read = MaterialReader.readPrivateKey(ascii(PemWriter.pkcs8(keys.getPrivate())), null, "key.pem");
        assertSameKey(read, keys);
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048", "RSA_3072", "RSA_4096"})
    void readsTraditionalPemPkcs1AndSec1(KeyType type) throws Exception {
        KeyPair keys = type.generate();
        String pem = PemWriter.traditional(keys.getPrivate());
        assertThat(pem).startsWith(type.name().startsWith("RSA") ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----");
        assertSameKey(MaterialReader.readPrivateKey(ascii(pem), null, "key.pem"), keys);
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "RSA_2048", "ED25519"})
    void readsEncryptedPkcs8WithItsPassword(KeyType type) throws Exception {
        KeyPair keys = type.generate();
        String pem = PemWriter.encryptedPkcs8(keys.getPrivate(), PASSWORD);
        assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertSameKey(MaterialReader.readPrivateKey(ascii(pem), PASSWORD, "key.pem"), keys);
    }

    @Test
    void encryptedKeyWithWrongOrMissingPasswordNamesTheFile() {
        byte[] pem = ascii(PemWriter.encryptedPkcs8(KeyType.EC_P256.generate().getPrivate(), PASSWORD));
        assertThatThrownBy(() -> MaterialReader.readPrivateKey(pem, "wrong".toCharArray(), "/etc/tls/key.pem"))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.BAD_PASSWORD))
                .hasMessageContaining("/etc/tls/key.pem").hasMessageContaining("wrong key password");
        assertThatThrownBy(() -> MaterialReader.readPrivateKey(pem, null, "/etc/tls/key.pem"))
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(MaterialException.Reason.BAD_PASSWORD))
                .hasMessageContaining("/etc/tls/key.pem is an encrypted private key but no key password is configured");
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
    void readsDerPkcs8Pkcs1Sec1AndEncrypted(KeyType type) throws Exception {
        KeyPair keys = type.generate();
        assertSameKey(MaterialReader.readPrivateKey(keys.getPrivate().getEncoded(), null, "key.der"), keys);
        assertSameKey(MaterialReader.readPrivateKey(PemWriter.traditionalDer(keys.getPrivate()), null, "key.der"), keys);
        byte[] encryptedDer = derOf(PemWriter.encryptedPkcs8(keys.getPrivate(), PASSWORD));
        assertSameKey(MaterialReader.readPrivateKey(encryptedDer, PASSWORD, "key.der"), keys);
    }

    @Test
    void readsPemAndDerCertificatesAndWholeBundles() throws Exception {
        CertificateIssuer.Issued server = PKI.server("localhost");
        X509Certificate certificate = server.certificate();
        assertThat(MaterialReader.readCertificates(ascii(PemWriter.certificates(certificate)), "c.pem")).containsExactly(certificate);
        assertThat(MaterialReader.readCertificates(certificate.getEncoded(), "c.der")).containsExactly(certificate);
        String bundle = PemWriter.certificates(certificate, PKI.ca.certificate());
        assertThat(MaterialReader.readCertificates(ascii(bundle), "bundle.pem")).containsExactly(certificate, PKI.ca.certificate());
    }

    @Test
    void emptyAndBlankFilesAreEmpty() {
        for (byte[] content : List.of(new byte[0], ascii("  \n\t\n"))) {
            assertReason(() -> MaterialReader.readCertificates(content, "/tls/tls.crt"), MaterialException.Reason.EMPTY, "/tls/tls.crt is empty");
            assertReason(() -> MaterialReader.readPrivateKey(content, null, "/tls/tls.key"), MaterialException.Reason.EMPTY, "/tls/tls.key is empty");
        }
    }

    @Test
    void textThatIsNotPemSaysSo() {
        byte[] text = ascii("this is not a certificate\n");
        assertReason(() -> MaterialReader.readCertificates(text, "/tls/tls.crt"), MaterialException.Reason.NOT_PEM_OR_DER,
                "/tls/tls.crt is neither PEM");
        assertReason(() -> MaterialReader.readPrivateKey(text, null, "/tls/tls.key"), MaterialException.Reason.NOT_PEM_OR_DER,
                "/tls/tls.key is neither PEM");
    }

    @Test
    void truncatedPemAndDerAreTruncated() {
        String certificate = PemWriter.certificates(PKI.ca.certificate());
        String key = PemWriter.pkcs8(KeyType.RSA_2048.generate().getPrivate());
        byte[] halfCertificate = ascii(certificate.substring(0, certificate.length() / 2));
        byte[] halfKey = ascii(key.substring(0, key.length() / 2));
        assertReason(() -> MaterialReader.readCertificates(halfCertificate, "c.pem"), MaterialException.Reason.TRUNCATED, "c.pem is truncated or damaged");
        assertReason(() -> MaterialReader.readPrivateKey(halfKey, null, "k.pem"), MaterialException.Reason.TRUNCATED, "k.pem is truncated or damaged");
        byte[] der = KeyType.EC_P256.generate().getPrivate().getEncoded();
        assertReason(() -> MaterialReader.readPrivateKey(Arrays.copyOf(der, der.length / 2), null, "k.der"),
                MaterialException.Reason.TRUNCATED, "k.der is DER but");
    }

    @Test
    void keyWhereCertificateBelongsAndTheOtherWayRound() throws Exception {
        byte[] key = ascii(PemWriter.traditional(KeyType.RSA_2048.generate().getPrivate()));
        byte[] certificate = ascii(PemWriter.certificates(PKI.ca.certificate()));
        assertReason(() -> MaterialReader.readCertificates(key, "/tls/tls.crt"), MaterialException.Reason.WRONG_CONTENT,
                "/tls/tls.crt holds a PRIVATE KEY where a certificate belongs");
        assertReason(() -> MaterialReader.readPrivateKey(certificate, null, "/tls/tls.key"), MaterialException.Reason.WRONG_CONTENT,
                "/tls/tls.key holds a CERTIFICATE where a private key belongs");
        byte[] derKey = KeyType.EC_P256.generate().getPrivate().getEncoded();
        assertReason(() -> MaterialReader.readCertificates(derKey, "c.der"), MaterialException.Reason.WRONG_CONTENT,
                "c.der holds a DER PRIVATE KEY where a certificate belongs");
        assertReason(() -> MaterialReader.readPrivateKey(PKI.ca.certificate().getEncoded(), null, "k.der"), MaterialException.Reason.WRONG_CONTENT,
                "k.der holds a DER CERTIFICATE where a private key belongs");
    }

    @Test
    void twoKeysInOneFileAreRefused() {
        byte[] two = ascii(PemWriter.pkcs8(KeyType.EC_P256.generate().getPrivate()) + PemWriter.pkcs8(KeyType.EC_P256.generate().getPrivate()));
        assertReason(() -> MaterialReader.readPrivateKey(two, null, "k.pem"), MaterialException.Reason.WRONG_CONTENT, "more than one private key");
    }

    @Test
    void errorsNeverCarryKeyBytes() {
        KeyPair keys = KeyType.RSA_2048.generate();
        String pem = PemWriter.pkcs8(keys.getPrivate());
        String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        byte[] damaged = ascii(pem.replace(body, body.substring(0, 20) + "!!!" + body.substring(23)));
        MaterialException e = org.junit.jupiter.api.Assertions.assertThrows(MaterialException.class,
                () -> MaterialReader.readPrivateKey(damaged, null, "k.pem"));
        String everything = e.getMessage() + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertThat(everything).doesNotContain(body.substring(0, 16))
                .doesNotContain(Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()).substring(40, 60));
    }

    /**
     * PEM certificates and unencrypted PKCS#8 keys are read with the JDK alone: MaterialReader loaded where BouncyCastle
     * is not on the class path reads them, and needs BouncyCastle (NoClassDefFoundError) for a form only it reads, which
     * shows the isolation holds. This is what keeps BouncyCastle's signed jars out of a start (README, Container image).
     */
    @Test
    @SuppressWarnings("unchecked")
    void commonFormsAreReadWithoutBouncyCastle() throws Exception {
        java.net.URL classes = MaterialReader.class.getProtectionDomain().getCodeSource().getLocation();
        try (java.net.URLClassLoader isolated = new java.net.URLClassLoader(new java.net.URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> reader = isolated.loadClass(MaterialReader.class.getName());
            assertThat(reader.getClassLoader()).isSameAs(isolated);
            assertThatThrownBy(() -> isolated.loadClass("org.bouncycastle.openssl.PEMParser")).isInstanceOf(ClassNotFoundException.class);
            java.lang.reflect.Method readCertificates = reader.getMethod("readCertificates", byte[].class, String.class);
            java.lang.reflect.Method readPrivateKey = reader.getMethod("readPrivateKey", byte[].class, char[].class, String.class);

            X509Certificate server = PKI.server("localhost").certificate();
            byte[] bundle = ascii("subject=CN=localhost\n" + PemWriter.certificates(server, PKI.ca.certificate()) + "\n");
            assertThat((List<Object>) readCertificates.invoke(null, bundle, "bundle.pem")).containsExactly(server, PKI.ca.certificate());
            for (KeyType type : KeyType.values()) {
                KeyPair keys = type.generate();
                PrivateKey read = (PrivateKey) readPrivateKey.invoke(null, ascii(PemWriter.pkcs8(keys.getPrivate())), null, "key.pem");
                assertSameKey(read, keys);
            }

            byte[] sec1 = ascii(PemWriter.traditional(KeyType.EC_P256.generate().getPrivate()));
            assertThatThrownBy(() -> readPrivateKey.invoke(null, sec1, null, "key.pem"))
                    .hasRootCauseInstanceOf(ClassNotFoundException.class).hasStackTraceContaining("org/bouncycastle");
        }
    }

    /** What the JDK reads is what the full reader reads, and input that is not clean gets the full reader's answer. */
    @Test
    void jdkAndFullReaderAgree() throws Exception {
        String certificates = PemWriter.certificates(PKI.server("localhost").certificate(), PKI.ca.certificate());
        assertThat(MaterialReader.readCertificates(ascii(certificates), "c.pem"))
                .isEqualTo(BouncyCastleMaterialReader.readCertificates(ascii(certificates), "c.pem"));
        for (KeyType type : KeyType.values()) {
            byte[] pem = ascii(PemWriter.pkcs8(type.generate().getPrivate()));
            assertThat(MaterialReader.readPrivateKey(pem, null, "k.pem").getEncoded())
                    .isEqualTo(BouncyCastleMaterialReader.readPrivateKey(pem, null, "k.pem").getEncoded());
        }
        String key = PemWriter.pkcs8(KeyType.EC_P256.generate().getPrivate());
        assertReason(() -> MaterialReader.readPrivateKey(ascii(key + certificates), null, "k.pem"), MaterialException.Reason.WRONG_CONTENT,
                "k.pem holds a CERTIFICATE where a private key belongs");
        assertReason(() -> MaterialReader.readCertificates(ascii(certificates + key), "c.pem"), MaterialException.Reason.WRONG_CONTENT,
                "c.pem holds a PRIVATE KEY where a certificate belongs");
        String trailing = certificates.replaceFirst("\n-----END CERTIFICATE-----", "AAAA\n-----END CERTIFICATE-----");
        assertThatThrownBy(() -> MaterialReader.readCertificates(ascii(trailing), "c.pem")).isInstanceOf(MaterialException.class);
    }

    /** Keys as openssl writes them, where openssl is installed: the encodings real users have. */
    @Test
    void readsKeysWrittenByOpenssl(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(opensslAvailable(), "openssl is not installed");
        openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa8.pem");
        openssl(dir, "rsa", "-in", "rsa8.pem", "-traditional", "-out", "rsa1.pem");
        openssl(dir, "rsa", "-in", "rsa8.pem", "-traditional", "-outform", "DER", "-out", "rsa1.der");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-with-params.pem");
        openssl(dir, "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-outform", "DER", "-out", "ec.der");
        openssl(dir, "pkcs8", "-topk8", "-in", "rsa8.pem", "-v2", "aes-256-cbc", "-passout", "pass:correct horse", "-out", "enc.pem");
        openssl(dir, "pkcs8", "-topk8", "-in", "ec-with-params.pem", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA256",
                "-passout", "pass:correct horse", "-outform", "DER", "-out", "enc.der");
        openssl(dir, "genpkey", "-algorithm", "ED25519", "-out", "ed.pem");
        openssl(dir, "rsa", "-in", "rsa8.pem", "-aes256", "-traditional", "-passout", "pass:correct horse", "-out", "legacy-enc.pem");

        assertThat(Files.readString(dir.resolve("rsa1.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        PrivateKey rsa = MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("rsa8.pem")), null, "rsa8.pem");
        for (String file : List.of("rsa1.pem", "rsa1.der", "enc.pem", "legacy-enc.pem")) {
            PrivateKey key = MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve(file)), PASSWORD, file);
            assertThat(key.getEncoded()).as(file).isEqualTo(rsa.getEncoded());
        }
        assertThat(Keys.describe(MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("ec-with-params.pem")), null, "ec"))).isEqualTo("EC P-256");
        assertThat(Keys.describe(MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("ec.der")), null, "ec.der"))).isEqualTo("EC P-384");
        assertThat(Keys.describe(MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("enc.der")), PASSWORD, "enc.der"))).isEqualTo("EC P-256");
        assertThat(MaterialReader.readPrivateKey(Files.readAllBytes(dir.resolve("ed.pem")), null, "ed.pem").getAlgorithm()).isIn("Ed25519", "EdDSA");
    }

    static boolean opensslAvailable() {
        try {
            return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("openssl %s: %s", String.join(" ", args), output).isZero();
    }

    /** The same key whatever its wrapping: the same private value (SEC1 may carry the curve where PKCS#8 does not). */
    private static void assertSameKey(PrivateKey read, KeyPair expected) {
        assertThat(privateValue(read)).isEqualTo(privateValue(expected.getPrivate()));
        assertThat(Keys.describe(read)).isEqualTo(Keys.describe(expected.getPrivate()));
        assertThat(Keys.matches(read, expected.getPublic())).isTrue();
    }

    private static Object privateValue(PrivateKey key) {
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            return ec.getS();
        }
        if (key instanceof java.security.interfaces.RSAPrivateKey rsa) {
            return rsa.getPrivateExponent();
        }
        return java.util.HexFormat.of().formatHex(key.getEncoded());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertReason(Call call, MaterialException.Reason reason, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(MaterialException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] derOf(String pem) {
        String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        return Base64.getDecoder().decode(body);
    }

    static Instant now() {
        return Instant.now();
    }

    static Duration days(int n) {
        return Duration.ofDays(n);
    }
}
