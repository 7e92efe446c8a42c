package dev.crossgate.tls;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.crossgate.config.ConfigException;
import dev.crossgate.config.TlsPolicy.Library;
import io.netty.handler.ssl.OpenSsl;
import io.netty.util.internal.PlatformDependent;

/**
 * {@code crossgate.tls.library=openssl} or {@code aws-lc}: TLS by a netty-tcnative build the JVM finds on its
 * {@code java.library.path} instead of the BoringSSL inside the jar. Netty looks there before it unpacks its own copy,
 * and falls back to that copy without a word when loading fails; loading it here first turns that silent fallback into
 * a start-up error that says what the loader missed, and checking the version string catches the wrong build found.
 */
final class NativeTlsLibrary {

    /** The name Netty asks the JVM for before it unpacks its own copy: the same name, so Netty finds this one loaded. */
    static final String LIBRARY = "netty_tcnative_" + PlatformDependent.normalizedOs() + "_" + PlatformDependent.normalizedArch();
    private static final String FILE = System.mapLibraryName(LIBRARY);

    private NativeTlsLibrary() {
    }

    /**
     * For {@code boringssl}: Netty would load a netty-tcnative build it finds on java.library.path before the copy in
     * the jar, so one there (the Crossgate image puts AWS-LC there) stops the start instead of serving unasked.
     */
    static void refuseForeignBuild(String javaLibraryPath) throws ConfigException {
        for (String directory : javaLibraryPath.split(File.pathSeparator)) {
            Path found = Path.of(directory, FILE);
            if (!directory.isEmpty() && Files.exists(found)) {
                throw new ConfigException("crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is boringssl, but java.library.path holds "
                        + found + ", which Netty would load instead of the jar's BoringSSL; set crossgate.tls.library to the"
                        + " library it is (aws-lc or openssl), or take " + directory + " off java.library.path (in the Crossgate"
                        + " image: JDK_JAVA_OPTIONS=-XX:SharedArchiveFile=/app/cds/crossgate.jsa)");
            }
        }
    }

    /** Loads {@code library} for every TLS context of the process, or says why it cannot. */
    static void load(Library library) throws ConfigException {
        String setting = "crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is " + library.value();
        String how = "start the JVM with -Djava.library.path=<a directory holding " + FILE + " " + whereToGet(library)
                + ">, or set crossgate.tls.library to boringssl";
        try {
            System.loadLibrary(LIBRARY);
        } catch (UnsatisfiedLinkError e) {
            throw new ConfigException(setting + ": " + e.getMessage() + "; " + how);
        }
        if (!OpenSsl.isAvailable()) {
            throw new ConfigException(setting + ": " + FILE + " loaded but did not start: "
                    + HandshakeFailure.messages(OpenSsl.unavailabilityCause()) + "; " + how);
        }
        if (!OpenSsl.versionString().startsWith(versionPrefix(library))) {
            throw new ConfigException(setting + ": the " + FILE + " on java.library.path is " + OpenSsl.versionString()
                    + " where " + versionPrefix(library) + " was asked for; " + how);
        }
    }

    private static String versionPrefix(Library library) {
        return library == Library.AWS_LC ? "AWS-LC" : "OpenSSL";
    }

    private static String whereToGet(Library library) {
        if (library == Library.AWS_LC) {
            return "built against AWS-LC by tools/aws-lc/build.sh, which prints its directory (libapr-1 comes in it)";
        }
        return "from io.netty:netty-tcnative, classifier " + PlatformDependent.normalizedOs() + "-" + PlatformDependent.normalizedArch()
                + " (the build unpacks the version its pom names to gateway/target/native-openssl); it needs OpenSSL 3.2 or newer"
                + " (libssl.so.3) and libapr-1 on the host";
    }
}
