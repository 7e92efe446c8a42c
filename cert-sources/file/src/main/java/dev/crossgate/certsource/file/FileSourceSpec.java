package dev.crossgate.certsource.file;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The settings of one file source, already checked.
 *
 * @param ocspPath      a DER OCSP response for the certificate, stapled to handshakes; replaced like the other files
 * @param debounce      quiet time after the last file event before files are read, so a burst of writes is one reload
 * @param settleTimeout how long an inconsistent pair (a key that does not match, a half-written file) may last
 *                      before it is reported as refused: rotations write files one after the other
 * @param pollInterval  how often files are re-read even without events, for file systems that send none; zero: never
 */
public record FileSourceSpec(
        String name,
        Optional<Path> certPath,
        Optional<Path> keyPath,
        Optional<Path> caPath,
        Optional<Path> ocspPath,
        Optional<char[]> keyPassword,
        Duration debounce,
        Duration settleTimeout,
        Duration pollInterval) {

    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
    public static final Duration DEFAULT_SETTLE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);

    public Stream<Path> paths() {
        return Stream.of(certPath, keyPath, caPath, ocspPath).flatMap(Optional::stream);
    }

    @Override
    public String toString() {
        return "FileSourceSpec[" + name + ", cert=" + certPath.orElse(null) + ", key=" + keyPath.orElse(null)
                + ", ca=" + caPath.orElse(null) + ", ocsp=" + ocspPath.orElse(null) + ", password=" + (keyPassword.isPresent() ? "(set)" : "(none)") + "]";
    }
}
