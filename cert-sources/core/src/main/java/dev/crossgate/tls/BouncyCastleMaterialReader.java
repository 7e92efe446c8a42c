package dev.crossgate.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.bc.BcPEMDecryptorProvider;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * {@link MaterialReader}'s reader for every format users hand us (PEM or DER; PKCS#1, PKCS#8, encrypted PKCS#8, legacy
 * OpenSSL-encrypted PEM, SEC1 EC), and for every input that is not clean: BouncyCastle's parsers, used as a library and
 * never registered as a JCE provider, tell what is wrong with it. Errors name {@code origin} (a file path or a setting)
 * and the cause, never the content.
 */
final class BouncyCastleMaterialReader {

    private static final JcaPEMKeyConverter KEY_CONVERTER = new JcaPEMKeyConverter();

    private BouncyCastleMaterialReader() {
    }

    /** Every certificate in {@code bytes}, in file order. */
    static List<X509Certificate> readCertificates(byte[] bytes, String origin) throws MaterialException {
        requireContent(bytes, origin);
        if (!isPem(bytes)) {
            return readDerCertificates(bytes, origin);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object object : pemObjects(bytes, origin)) {
            if (object instanceof X509CertificateHolder holder) {
                certificates.add(toX509(holder, origin));
            } else if (object instanceof X509TrustedCertificateBlock trusted) {
                certificates.add(toX509(trusted.getCertificateHolder(), origin));
            } else if (isPrivateKey(object)) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " holds a PRIVATE KEY where a certificate belongs (check that the certificate and key paths are not swapped)");
            } else if (!(object instanceof X509CRLHolder) && !(object instanceof ASN1ObjectIdentifier)) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " holds " + describe(object) + " where a certificate belongs");
            }
        }
        if (certificates.isEmpty()) {
            throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin + " holds no certificate");
        }
        return certificates;
    }

    /**
     * The one private key in {@code bytes}. {@code password} opens encrypted PKCS#8 and legacy encrypted
     * PEM; it may be null when the key is not encrypted.
     */
    static PrivateKey readPrivateKey(byte[] bytes, char[] password, String origin) throws MaterialException {
        requireContent(bytes, origin);
        if (!isPem(bytes)) {
            return readDerPrivateKey(bytes, password, origin);
        }
        PrivateKey key = null;
        for (Object object : pemObjects(bytes, origin)) {
            if (object instanceof ASN1ObjectIdentifier) {
                continue; // "EC PARAMETERS" blocks that openssl ecparam writes before the key
            }
            if (object instanceof X509CertificateHolder || object instanceof X509TrustedCertificateBlock) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " holds a CERTIFICATE where a private key belongs (check that the certificate and key paths are not swapped)");
            }
            if (!isPrivateKey(object)) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " holds " + describe(object) + " where a private key belongs");
            }
            if (key != null) {
                throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " holds more than one private key; keep exactly one key per file");
            }
            key = convertKey(object, password, origin);
        }
        if (key == null) {
            throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin + " holds no private key");
        }
        return key;
    }

    private static void requireContent(byte[] bytes, String origin) throws MaterialException {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return;
            }
        }
        throw new MaterialException(MaterialException.Reason.EMPTY, origin + " is empty");
    }

    private static boolean isPem(byte[] bytes) {
        // DER always starts with a SEQUENCE tag; anything textual is taken for PEM so that the PEM parser explains it.
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) {
            i++;
        }
        return i < bytes.length && bytes[i] != 0x30;
    }

    private static List<Object> pemObjects(byte[] bytes, String origin) throws MaterialException {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN ")) {
            throw new MaterialException(MaterialException.Reason.NOT_PEM_OR_DER,
                    origin + " is neither PEM (no '-----BEGIN' line) nor DER");
        }
        List<Object> objects = new ArrayList<>();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object object;
            while ((object = parser.readObject()) != null) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle says "-----END ... not found" or fails on the base64/ASN.1 of a cut-off block.
            throw new MaterialException(MaterialException.Reason.TRUNCATED,
                    origin + " is truncated or damaged: " + safeMessage(e), withoutContent(e));
        }
        if (objects.isEmpty()) {
            throw new MaterialException(MaterialException.Reason.NOT_PEM_OR_DER,
                    origin + " has a '-----BEGIN' line but no PEM block BouncyCastle can read");
        }
        return objects;
    }

    private static boolean isPrivateKey(Object object) {
        return object instanceof PEMKeyPair || object instanceof PrivateKeyInfo
                || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair;
    }

    private static PrivateKey convertKey(Object object, char[] password, String origin) throws MaterialException {
        try {
            if (object instanceof PEMKeyPair pair) {
                return KEY_CONVERTER.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return KEY_CONVERTER.getPrivateKey(info);
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                return decryptPkcs8(encrypted, password, origin);
            }
            PEMEncryptedKeyPair encrypted = (PEMEncryptedKeyPair) object;
            requirePassword(password, origin);
            try {
                PEMKeyPair pair = encrypted.decryptKeyPair(new BcPEMDecryptorProvider(password));
                return KEY_CONVERTER.getPrivateKey(pair.getPrivateKeyInfo());
            } catch (IOException e) {
                throw badPassword(origin, e);
            }
        } catch (PEMException e) {
            throw unsupported(origin, e);
        }
    }

    private static PrivateKey decryptPkcs8(PKCS8EncryptedPrivateKeyInfo encrypted, char[] password, String origin)
            throws MaterialException {
        requirePassword(password, origin);
        try {
            InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BouncyCastleJce.provider()).build(password);
            return KEY_CONVERTER.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
        } catch (PKCSException | OperatorCreationException e) {
            throw badPassword(origin, e);
        } catch (PEMException e) {
            throw unsupported(origin, e);
        }
    }

    private static void requirePassword(char[] password, String origin) throws MaterialException {
        if (password == null || password.length == 0) {
            throw new MaterialException(MaterialException.Reason.BAD_PASSWORD,
                    origin + " is an encrypted private key but no key password is configured");
        }
    }

    private static MaterialException badPassword(String origin, Exception e) {
        return new MaterialException(MaterialException.Reason.BAD_PASSWORD,
                origin + " could not be decrypted: wrong key password or unsupported encryption (" + safeMessage(e) + ")", withoutContent(e));
    }

    private static MaterialException unsupported(String origin, Exception e) {
        return new MaterialException(MaterialException.Reason.UNSUPPORTED_KEY,
                origin + " holds a private key of an unsupported type: " + safeMessage(e), withoutContent(e));
    }

    private static List<X509Certificate> readDerCertificates(byte[] bytes, String origin) throws MaterialException {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Collection<? extends java.security.cert.Certificate> parsed = factory.generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> certificates = new ArrayList<>(parsed.size());
            for (java.security.cert.Certificate certificate : parsed) {
                certificates.add((X509Certificate) certificate);
            }
            if (!certificates.isEmpty()) {
                return certificates;
            }
        } catch (CertificateException | RuntimeException e) {
            // fall through: find out what the DER holds instead
        }
        DerKind kind = derKind(bytes);
        if (kind == DerKind.UNPARSEABLE) {
            throw new MaterialException(MaterialException.Reason.TRUNCATED, origin + " is DER but truncated or damaged");
        }
        if (kind != DerKind.OTHER) {
            throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                    origin + " holds a DER PRIVATE KEY where a certificate belongs (check that the certificate and key paths are not swapped)");
        }
        throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin + " is DER but not an X.509 certificate");
    }

    private static PrivateKey readDerPrivateKey(byte[] bytes, char[] password, String origin) throws MaterialException {
        DerKind kind = derKind(bytes);
        try {
            return switch (kind) {
                case PKCS8 -> KEY_CONVERTER.getPrivateKey(PrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(bytes)));
                case PKCS8_ENCRYPTED -> decryptPkcs8(new PKCS8EncryptedPrivateKeyInfo(EncryptedPrivateKeyInfo.getInstance(bytes)), password, origin);
                case PKCS1_RSA -> KEY_CONVERTER.getPrivateKey(new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, org.bouncycastle.asn1.DERNull.INSTANCE),
                        RSAPrivateKey.getInstance(bytes)));
                case SEC1_EC -> sec1(ECPrivateKey.getInstance(bytes), origin);
                case CERTIFICATE -> throw new MaterialException(MaterialException.Reason.WRONG_CONTENT,
                        origin + " holds a DER CERTIFICATE where a private key belongs (check that the certificate and key paths are not swapped)");
                case UNPARSEABLE -> throw new MaterialException(MaterialException.Reason.TRUNCATED, origin + " is DER but truncated or damaged");
                case OTHER -> throw new MaterialException(MaterialException.Reason.WRONG_CONTENT, origin + " is DER but not a private key");
            };
        } catch (IOException | RuntimeException e) {
            throw new MaterialException(MaterialException.Reason.TRUNCATED,
                    origin + " is DER but not a readable private key: " + safeMessage(e), withoutContent(e));
        }
    }

    private static PrivateKey sec1(ECPrivateKey ecKey, String origin) throws MaterialException, IOException {
        ASN1Encodable curve = ecKey.getParametersObject();
        if (curve == null) {
            throw new MaterialException(MaterialException.Reason.UNSUPPORTED_KEY,
                    origin + " is a SEC1 EC key without its curve; write it with 'openssl ec -param_enc named_curve'");
        }
        return KEY_CONVERTER.getPrivateKey(new PrivateKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), ecKey));
    }

    private enum DerKind { PKCS8, PKCS8_ENCRYPTED, PKCS1_RSA, SEC1_EC, CERTIFICATE, OTHER, UNPARSEABLE }

    /** Tells DER structures apart by their first fields, which is how openssl's own "guess" works too. */
    private static DerKind derKind(byte[] bytes) {
        ASN1Sequence sequence;
        try {
            if (!(ASN1Primitive.fromByteArray(bytes) instanceof ASN1Sequence parsed)) {
                return DerKind.OTHER;
            }
            sequence = parsed;
        } catch (IOException | RuntimeException e) {
            return DerKind.UNPARSEABLE;
        }
        if (sequence.size() < 2) {
            return DerKind.OTHER;
        }
        ASN1Encodable first = sequence.getObjectAt(0);
        ASN1Encodable second = sequence.getObjectAt(1);
        if (first instanceof ASN1Sequence && second instanceof ASN1OctetString) {
            return DerKind.PKCS8_ENCRYPTED;
        }
        if (first instanceof ASN1Sequence && second instanceof ASN1Sequence) {
            return DerKind.CERTIFICATE; // TBSCertificate, AlgorithmIdentifier, signature
        }
        if (first instanceof ASN1Integer) {
            if (second instanceof ASN1Sequence) {
                return DerKind.PKCS8;
            }
            if (second instanceof ASN1OctetString) {
                return DerKind.SEC1_EC;
            }
            if (second instanceof ASN1Integer && sequence.size() >= 9) {
                return DerKind.PKCS1_RSA;
            }
        }
        return DerKind.OTHER;
    }

    private static X509Certificate toX509(X509CertificateHolder holder, String origin) throws MaterialException {
        try {
            return MaterialReader.x509(holder.getEncoded());
        } catch (CertificateException | IOException e) {
            throw new MaterialException(MaterialException.Reason.TRUNCATED,
                    origin + " holds a certificate the JDK cannot read: " + safeMessage(e), withoutContent(e));
        }
    }

    private static String describe(Object pemObject) {
        if (pemObject instanceof SubjectPublicKeyInfo) {
            return "a PUBLIC KEY";
        }
        if (pemObject instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest) {
            return "a CERTIFICATE REQUEST";
        }
        return "a " + pemObject.getClass().getSimpleName();
    }

    /**
     * A parser's message, with anything that could be the file's own content cut out: BouncyCastle quotes a damaged
     * BEGIN/END line, and a key file whose line breaks were lost has its base64 body on that line (found by fuzzing).
     */
    private static String safeMessage(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : BASE64_RUN.matcher(message).replaceAll("[...]");
    }

    private static final java.util.regex.Pattern BASE64_RUN = java.util.regex.Pattern.compile("[A-Za-z0-9+/=]{16,}");

    /** The parser's exception without its message, which may quote the file: only its type travels on as the cause. */
    private static Throwable withoutContent(Throwable e) {
        Exception stripped = new Exception(e.getClass().getName() + " (message left out: it may quote the file)");
        stripped.setStackTrace(e.getStackTrace());
        return stripped;
    }
}
