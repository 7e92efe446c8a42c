package dev.crossgate.config;

import java.util.Map;

/**
 * {@code crossgate.certs.<name>.*}: the source type and its own settings, keys relative to the entry.
 * The keys are checked against the type's provider when the configuration is built.
 */
public record CertSourceConfig(String name, String type, Map<String, String> settings) {

    public CertSourceConfig {
        settings = Map.copyOf(settings);
    }

    @Override
    public String toString() {
        // key-password and the like must not reach a log through toString
        return "CertSourceConfig[" + name + ", type=" + type + ", keys=" + settings.keySet() + "]";
    }
}
