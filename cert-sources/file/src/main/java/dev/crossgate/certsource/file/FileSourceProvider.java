package dev.crossgate.certsource.file;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;

/** {@code crossgate.certs.<name>.source=file}. */
public final class FileSourceProvider implements CertificateSourceProvider {

    public static final String CERT_PATH = "cert-path";
    public static final String KEY_PATH = "key-path";
    public static final String CA_PATH = "ca-path";
    public static final String KEY_PASSWORD = "key-password";
    public static final String OCSP_PATH = "ocsp-path";
    public static final String DEBOUNCE = "debounce";
    public static final String SETTLE_TIMEOUT = "settle-timeout";
    public static final String POLL_INTERVAL = "poll-interval";

    @Override
    public String type() {
        return FileCertificateSource.TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of(CERT_PATH, KEY_PATH, CA_PATH, OCSP_PATH, KEY_PASSWORD, DEBOUNCE, SETTLE_TIMEOUT, POLL_INTERVAL);
    }

    @Override
    public CertificateSource create(SourceSettings settings) throws SettingException {
        return new FileCertificateSource(spec(settings), settings.validator(), settings.clock());
    }

    static FileSourceSpec spec(SourceSettings settings) throws SettingException {
        var cert = settings.existingFile(CERT_PATH);
        var key = settings.existingFile(KEY_PATH);
        var ca = settings.existingFile(CA_PATH);
        if (cert.isPresent() != key.isPresent()) {
            String missing = cert.isPresent() ? KEY_PATH : CERT_PATH;
            String present = cert.isPresent() ? CERT_PATH : KEY_PATH;
            throw new SettingException("source " + settings.name() + " sets " + settings.describe(present)
                    + " but not " + settings.describe(missing) + "; a certificate and its key come together");
        }
        if (cert.isEmpty() && ca.isEmpty()) {
            throw new SettingException("source " + settings.name() + " needs " + settings.describe(CERT_PATH)
                    + " and " + settings.describe(KEY_PATH) + ", or " + settings.describe(CA_PATH));
        }
        var ocsp = settings.existingFile(OCSP_PATH);
        if (ocsp.isPresent() && cert.isEmpty()) {
            throw new SettingException(settings.describe(OCSP_PATH) + " is set but source " + settings.name()
                    + " has no certificate to staple it to (" + settings.describe(CERT_PATH) + ")");
        }
        Optional<char[]> password = settings.optional(KEY_PASSWORD).map(String::toCharArray);
        return new FileSourceSpec(settings.name(), cert, key, ca, ocsp, password,
                settings.duration(DEBOUNCE, FileSourceSpec.DEFAULT_DEBOUNCE),
                settings.duration(SETTLE_TIMEOUT, FileSourceSpec.DEFAULT_SETTLE_TIMEOUT),
                settings.duration(POLL_INTERVAL, FileSourceSpec.DEFAULT_POLL_INTERVAL));
    }

}
