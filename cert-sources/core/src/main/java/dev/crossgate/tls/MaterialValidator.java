package dev.crossgate.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks every piece of material passes before any source may hand it out, whatever its origin.
 * Origins (file paths, Secret keys, API calls) are only used to name things in messages.
 */
public final class MaterialValidator {

    /** Certificates issued on a machine whose clock runs a little ahead are not refused for that. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    public static final int MINIMUM_RSA_BITS = 2048;
    public static final int MINIMUM_EC_BITS = 256;

    private final Clock clock;
    private final Duration expiryWarning;
    private final boolean verifyChain;

    /**
     * @param expiryWarning how long before the leaf's expiry a warning is given
     * @param verifyChain   whether the identity's chain must verify to the trust bundle delivered with it
     */
    public MaterialValidator(Clock clock, Duration expiryWarning, boolean verifyChain) {
        this.clock = clock;
        this.expiryWarning = expiryWarning;
        this.verifyChain = verifyChain;
    }

    /** Where each part came from, for messages. */
    public record Origins(String chain, String key, String trust) {
    }

    /** Accepted material, and what the operator should hear about it without it being refused. */
    public record Result(TlsMaterial material, List<String> warnings) {
    }

    /**
     * Parses material that arrives as bytes (files, Secret entries; any may be null) and validates it: the one path
     * for every source that reads PEM or DER.
     */
    public Result validate(String sourceName, byte[] chain, byte[] key, char[] keyPassword, byte[] trust, Origins origins)
            throws MaterialException {
        List<X509Certificate> certificates = chain == null ? List.of() : MaterialReader.readCertificates(chain, origins.chain());
        PrivateKey privateKey = key == null ? null : MaterialReader.readPrivateKey(key, keyPassword, origins.key());
        List<X509Certificate> bundle = trust == null ? List.of() : MaterialReader.readCertificates(trust, origins.trust());
        return validate(sourceName, privateKey, certificates, bundle, origins);
    }

    /**
     * @param key              may be null for a trust-only source, together with an empty chain
     * @param chainInAnyOrder  the identity's certificates as found; put leaf first here
     * @param trust            the trust bundle; may be empty for an identity-only source
     */
    public Result validate(String sourceName, PrivateKey key, List<X509Certificate> chainInAnyOrder,
                           List<X509Certificate> trust, Origins origins) throws MaterialException {
        if (key == null && !chainInAnyOrder.isEmpty()) {
            throw new MaterialException(MaterialException.Reason.INCOMPLETE,
                    origins.chain() + " holds a certificate but no private key was delivered with it");
        }
        if (key != null && chainInAnyOrder.isEmpty()) {
            throw new MaterialException(MaterialException.Reason.INCOMPLETE,
                    origins.key() + " holds a private key but no certificate was delivered with it");
        }
        if (key == null && trust.isEmpty()) {
            throw new MaterialException(MaterialException.Reason.INCOMPLETE,
                    "source " + sourceName + " delivered neither a certificate and key nor a CA bundle");
        }
        Instant now = clock.instant();
        List<String> warnings = new ArrayList<>();
        List<X509Certificate> chain = List.of();
        if (key != null) {
            chain = leafFirst(chainInAnyOrder, origins.chain());
            X509Certificate leaf = chain.get(0);
            checkStrength(leaf, origins.chain());
            if (!Keys.matches(key, leaf.getPublicKey())) {
                throw new MaterialException(MaterialException.Reason.KEY_MISMATCH,
                        "the private key in " + origins.key() + " (" + Keys.describe(key) + ") does not match the certificate in "
                                + origins.chain() + " (" + name(leaf) + ", " + Keys.describe(leaf.getPublicKey()) + ")");
            }
            checkValidity(leaf, now, origins.chain());
            if (verifyChain && !trust.isEmpty()) {
                verifyToTrust(chain, trust, now, origins);
            }
            Duration left = Duration.between(now, leaf.getNotAfter().toInstant());
            if (left.compareTo(expiryWarning) < 0) {
                warnings.add("the certificate in " + origins.chain() + " (" + name(leaf) + ") expires in " + human(left)
                        + " at " + leaf.getNotAfter().toInstant() + "; rotate it soon");
            }
        }
        for (X509Certificate ca : trust) {
            if (ca.getNotAfter().toInstant().isBefore(now)) {
                warnings.add("the CA bundle in " + origins.trust() + " holds an expired certificate (" + name(ca)
                        + ", expired " + ca.getNotAfter().toInstant() + "); peers it issued will be refused");
            }
        }
        return new Result(new TlsMaterial(sourceName, key, chain, dedupe(trust), now), List.copyOf(warnings));
    }

    /**
     * Orders certificates found in any order into a path, leaf first, by following issuer links and
     * signatures. Certificates that are not part of the leaf's path are refused rather than silently served.
     */
    public static List<X509Certificate> leafFirst(List<X509Certificate> certificates, String origin) throws MaterialException {
        List<X509Certificate> unique = dedupe(certificates);
        if (unique.size() == 1) {
            return unique;
        }
        List<X509Certificate> leaves = unique.stream()
                .filter(candidate -> unique.stream().noneMatch(other -> other != candidate && issued(candidate, other)))
                .toList();
        if (leaves.size() != 1) {
            throw new MaterialException(MaterialException.Reason.CHAIN_BROKEN,
                    origin + " holds " + unique.size() + " certificates that do not form one chain ("
                            + leaves.size() + " of them issue no other: " + names(leaves) + ")");
        }
        List<X509Certificate> path = new ArrayList<>(unique.size());
        Set<X509Certificate> remaining = new LinkedHashSet<>(unique);
        X509Certificate current = leaves.get(0);
        while (current != null) {
            path.add(current);
            remaining.remove(current);
            X509Certificate child = current;
            current = remaining.stream().filter(candidate -> issued(candidate, child)).findFirst().orElse(null);
        }
        if (!remaining.isEmpty()) {
            throw new MaterialException(MaterialException.Reason.CHAIN_BROKEN,
                    origin + " holds certificates that are not part of the chain of " + name(path.get(0)) + ": " + names(remaining));
        }
        return List.copyOf(path);
    }

    private static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (issuer.equals(subject) || !issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void checkStrength(X509Certificate leaf, String origin) throws MaterialException {
        String algorithm = leaf.getPublicKey().getAlgorithm();
        int bits = Keys.bits(leaf.getPublicKey());
        if ("RSA".equals(algorithm) && bits < MINIMUM_RSA_BITS) {
            throw new MaterialException(MaterialException.Reason.WEAK_KEY,
                    "the certificate in " + origin + " (" + name(leaf) + ") has a weak RSA-" + bits
                            + " key; use RSA-" + MINIMUM_RSA_BITS + " or larger, or EC P-256");
        }
        if ("EC".equals(algorithm) && bits < MINIMUM_EC_BITS) {
            throw new MaterialException(MaterialException.Reason.WEAK_KEY,
                    "the certificate in " + origin + " (" + name(leaf) + ") has a weak EC-" + bits + " key; use EC P-256 or P-384");
        }
    }

    private static void checkValidity(X509Certificate leaf, Instant now, String origin) throws MaterialException {
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        if (notAfter.isBefore(now)) {
            throw new MaterialException(MaterialException.Reason.EXPIRED,
                    "the certificate in " + origin + " (" + name(leaf) + ") expired at " + notAfter);
        }
        if (notBefore.isAfter(now.plus(CLOCK_SKEW))) {
            throw new MaterialException(MaterialException.Reason.NOT_YET_VALID,
                    "the certificate in " + origin + " (" + name(leaf) + ") is not valid before " + notBefore
                            + " (check this machine's clock or the issuer's)");
        }
    }

    private static void verifyToTrust(List<X509Certificate> chain, List<X509Certificate> trust, Instant now, Origins origins)
            throws MaterialException {
        Set<TrustAnchor> anchors = trust.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
        // A chain file may end with the root itself; PKIX wants the path without its anchor.
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1 && trust.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now.plus(CLOCK_SKEW)));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
        } catch (CertPathValidatorException e) {
            throw new MaterialException(MaterialException.Reason.UNTRUSTED_CHAIN,
                    "the certificate chain in " + origins.chain() + " (" + name(chain.get(0)) + ", issued by "
                            + chain.get(chain.size() - 1).getIssuerX500Principal().getName() + ") does not verify to the CA bundle in "
                            + origins.trust() + " (" + names(trust) + "): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new MaterialException(MaterialException.Reason.UNTRUSTED_CHAIN,
                    "the certificate chain in " + origins.chain() + " could not be verified: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> dedupe(List<X509Certificate> certificates) {
        return List.copyOf(new LinkedHashSet<>(certificates));
    }

    static String name(X509Certificate certificate) {
        return "subject " + certificate.getSubjectX500Principal().getName() + ", serial "
                + CertificateFacts.hexSerial(certificate.getSerialNumber());
    }

    private static String names(java.util.Collection<X509Certificate> certificates) {
        Set<String> names = new HashSet<>();
        return certificates.stream().map(c -> c.getSubjectX500Principal().getName()).filter(names::add)
                .collect(Collectors.joining("; "));
    }

    static String human(Duration duration) {
        if (duration.isNegative()) {
            return "0s";
        }
        long days = duration.toDays();
        long hours = duration.toHoursPart();
        long minutes = duration.toMinutesPart();
        return days > 0 ? days + "d " + hours + "h" : hours > 0 ? hours + "h " + minutes + "m" : minutes + "m " + duration.toSecondsPart() + "s";
    }
}
