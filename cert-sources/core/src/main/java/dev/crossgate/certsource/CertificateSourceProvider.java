package dev.crossgate.certsource;

import java.util.Set;

/**
 * Creates sources of one type. Found with {@link java.util.ServiceLoader}, so a new source is a new
 * module on the class path and nothing else changes.
 */
public interface CertificateSourceProvider {

    /** The value of {@code crossgate.certs.<name>.source} this provider answers to, e.g. {@code file}. */
    String type();

    /** The keys this type understands under {@code crossgate.certs.<name>.}, besides those of {@link SourceSettings#COMMON_KEYS}. */
    Set<String> settingKeys();

    /** Checks the settings and creates a source that has not started yet. */
    CertificateSource create(SourceSettings settings) throws SettingException;
}
