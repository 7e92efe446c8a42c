package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.config.ConfigException;

class NativeTlsLibraryTest {

    @Test
    void aNettyTcnativeBuildOnJavaLibraryPathStopsBoringSslNamingTheFileAndBothWaysOut(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path withLibrary = Files.createDirectory(dir.resolve("native"));
        assertThatCode(() -> NativeTlsLibrary.refuseForeignBuild(empty + File.pathSeparator + withLibrary)).doesNotThrowAnyException();
        assertThatCode(() -> NativeTlsLibrary.refuseForeignBuild("")).doesNotThrowAnyException();

        Path library = Files.createFile(withLibrary.resolve(System.mapLibraryName(NativeTlsLibrary.LIBRARY)));
        assertThatThrownBy(() -> NativeTlsLibrary.refuseForeignBuild(empty + File.pathSeparator + withLibrary))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("crossgate.tls.library (CROSSGATE_TLS_LIBRARY) is boringssl, but java.library.path holds " + library)
                .hasMessageContaining("set crossgate.tls.library to the library it is (aws-lc or openssl)")
                .hasMessageContaining("take " + withLibrary + " off java.library.path");
    }
}
