package dev.crossgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.Settings;

/**
 * {@code crossgate.tls.*}: what every TLS context of the gateway allows, listeners and connectors alike. The defaults
 * are strict; a setting that allows more than they do is accepted, and named in a WARN at every start.
 * Renegotiation and TLS compression have no setting: neither library offers them through Netty.
 *
 * @param protocols                      TLS versions, newest first
 * @param cipherSuites                   TLS 1.3 and TLS 1.2 suites, in order of preference
 * @param groups                         key exchange groups (curves), in order of preference
 * @param sessionTickets                 resumption by tickets, whose keys the TLS library rotates (and every certificate rotation renews)
 * @param maxConnectionAgeAfterRotation  how long a connection made with replaced material may live on
 * @param library                        the native TLS library: the bundled BoringSSL, the host's OpenSSL, or AWS-LC
 * @param rsaOffload                     with BoringSSL, RSA private-key operations done by the AWS-LC inside the jar
 */
public record TlsPolicy(List<String> protocols, List<String> cipherSuites, List<String> groups, boolean sessionTickets,
                        Duration maxConnectionAgeAfterRotation, Library library, boolean rsaOffload) {

    /**
     * BoringSSL comes inside the jar and needs nothing from the host; it has no RSA code for AVX-512 IFMA, so by default
     * ({@code rsa-offload}) the AWS-LC inside the jar signs its RSA handshakes. OpenSSL 3.2 or newer, through
     * netty-tcnative's dynamically linked build, is patched with the host and signs RSA 2.4 times as fast as BoringSSL on
     * CPUs with AVX-512 IFMA, but makes ECDSA handshakes slower. AWS-LC, BoringSSL's fork with that RSA code, through a
     * netty-tcnative that tools/aws-lc/build.sh links it into, has both speeds and needs no offload.
     */
    public enum Library {
        BORINGSSL, OPENSSL, AWS_LC;

        /** As the setting spells it. */
        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Library from(Settings settings) throws SettingException {
            String[] spelled = Arrays.stream(values()).map(Library::value).toArray(String[]::new);
            return values()[Arrays.asList(spelled).indexOf(settings.choice("library", BORINGSSL.value(), spelled))];
        }
    }

    public static final String PREFIX = "crossgate.tls.";
    public static final List<String> KEYS = List.of("protocols", "cipher-suites", "groups", "session-tickets",
            "max-connection-age-after-rotation", "library", "rsa-offload");

    public static final List<String> STRICT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** TLS 1.3 suites are all AEAD; for TLS 1.2 only ECDHE (forward secrecy) with GCM or ChaCha20-Poly1305. */
    public static final List<String> STRICT_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    public static final List<String> STRICT_GROUPS = List.of("X25519", "P-256", "P-384");
    /** The groups both libraries know by these names (X25519MLKEM768: BoringSSL, and OpenSSL from 3.5). */
    private static final List<String> KNOWN_GROUPS = List.of("X25519", "P-256", "P-384", "P-521", "X25519MLKEM768");
    private static final List<String> KNOWN_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");
    public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofMinutes(5);

    public static final TlsPolicy STRICT = new TlsPolicy(STRICT_PROTOCOLS, STRICT_CIPHER_SUITES, STRICT_GROUPS, true,
            DEFAULT_MAX_CONNECTION_AGE, Library.BORINGSSL, true);

    public TlsPolicy {
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        groups = List.copyOf(groups);
    }

    static TlsPolicy from(Settings settings) throws SettingException {
        return new TlsPolicy(names(settings, "protocols", STRICT_PROTOCOLS, KNOWN_PROTOCOLS),
                names(settings, "cipher-suites", STRICT_CIPHER_SUITES, null), names(settings, "groups", STRICT_GROUPS, KNOWN_GROUPS),
                settings.bool("session-tickets", true), settings.duration("max-connection-age-after-rotation", DEFAULT_MAX_CONNECTION_AGE),
                Library.from(settings), settings.bool("rsa-offload", true));
    }

    /** A non-empty list setting, each name one of {@code known} (null: any, as the TLS library judges cipher suite names). */
    private static List<String> names(Settings settings, String key, List<String> defaults, List<String> known) throws SettingException {
        List<String> names = settings.has(key) ? settings.list(key) : defaults;
        if (names.isEmpty()) {
            throw new SettingException(settings.describe(key) + " may not be empty");
        }
        for (String name : names) {
            if (known != null && !known.contains(name)) {
                throw new SettingException(settings.describe(key) + ": '" + name + "' is not one of " + known);
            }
        }
        return names;
    }

    /**
     * What must be settled before the first TLS context exists: Netty reads whether servers issue session tickets
     * once, from the JDK's own switch, and offers no per-context setting that the TLS libraries honour for TLS 1.3.
     */
    public void applyProcessWide() {
        if (!sessionTickets) {
            System.setProperty("jdk.tls.server.enableSessionTicketExtension", "false");
        }
    }

    /** What this policy allows beyond the strict defaults, one line per setting, for the WARN at start. */
    public List<String> weakenings() {
        List<String> weaker = new ArrayList<>();
        beyond(weaker, "protocols", protocols, STRICT_PROTOCOLS, "TLS 1.3 and 1.2");
        beyond(weaker, "cipher-suites", cipherSuites, STRICT_CIPHER_SUITES, "the AEAD suites with forward secrecy");
        beyond(weaker, "groups", groups, STRICT_GROUPS, "X25519, P-256 and P-384");
        return weaker;
    }

    private static void beyond(List<String> weaker, String key, List<String> configured, List<String> strict, String strictly) {
        List<String> extra = configured.stream().filter(name -> !strict.contains(name)).toList();
        if (!extra.isEmpty()) {
            weaker.add(PREFIX + key + " allows " + extra + ", beyond " + strictly);
        }
    }
}
