package dev.crossgate.tls;

import dev.crossgate.config.ConfigException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.util.internal.PlatformDependent;

/**
 * {@code crossgate.tls.library=openssl}: TLS by the host's OpenSSL, through netty-tcnative's dynamically linked build
 * ({@code io.netty:netty-tcnative}, which needs OpenSSL 3.2 or newer and libapr-1) found on the JVM's
 * {@code java.library.path}. Netty looks there before it unpacks the bundled BoringSSL, and falls back to BoringSSL
 * without a word when that fails; loading the library here first turns that silent fallback into a start-up error that
 * says what the loader missed.
 */
final class HostOpenSsl {

    /** The name Netty asks the JVM for before it unpacks its own copy: the same name, so Netty finds this one loaded. */
    static final String LIBRARY = "netty_tcnative_" + PlatformDependent.normalizedOs() + "_" + PlatformDependent.normalizedArch();

    private static final String SETTING = "crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is openssl";
    private static final String HOW = "start the JVM with -Djava.library.path=<a directory holding " + System.mapLibraryName(LIBRARY)
            + " from io.netty:netty-tcnative, classifier " + PlatformDependent.normalizedOs() + "-" + PlatformDependent.normalizedArch()
            + " (the build unpacks the version its pom names to gateway/target/native-openssl)> on a host with OpenSSL 3.2 or newer"
            + " (libssl.so.3) and libapr-1,"
            + " or set crossgate.tls.library to boringssl";

    private HostOpenSsl() {
    }

    /** Loads the host's OpenSSL for every TLS context of the process, or says why it cannot. */
    static void load() throws ConfigException {
        try {
            System.loadLibrary(LIBRARY);
        } catch (UnsatisfiedLinkError e) {
            throw new ConfigException(SETTING + ": " + e.getMessage() + "; " + HOW);
        }
        if (!OpenSsl.isAvailable()) {
            throw new ConfigException(SETTING + ": " + System.mapLibraryName(LIBRARY) + " loaded but did not start: "
                    + HandshakeFailure.messages(OpenSsl.unavailabilityCause()) + "; " + HOW);
        }
        if (!OpenSsl.versionString().startsWith("OpenSSL")) {
            throw new ConfigException(SETTING + ": the " + System.mapLibraryName(LIBRARY) + " on java.library.path is "
                    + OpenSsl.versionString() + ", not an OpenSSL build; " + HOW);
        }
    }
}
