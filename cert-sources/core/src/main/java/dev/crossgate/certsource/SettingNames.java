package dev.crossgate.certsource;

import java.util.Locale;

/** The one rule that maps a property to its environment variable, Micronaut's rule. */
public final class SettingNames {

    private SettingNames() {
    }

    /** {@code crossgate.listeners.edge.tls.client-auth} is {@code CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH}. */
    public static String envVar(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** "crossgate.certs.edge.cert-path (CROSSGATE_CERTS_EDGE_CERT_PATH)": how every message names a setting. */
    public static String describe(String property) {
        return property + " (" + envVar(property) + ")";
    }
}
