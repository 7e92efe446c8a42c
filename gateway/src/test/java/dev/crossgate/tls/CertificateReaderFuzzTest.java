package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Certificate files, whatever they hold, end in certificates or in a {@link MaterialException} naming the file. */
class CertificateReaderFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void certificates(byte[] bytes) {
        try {
            assertThat(MaterialReader.readCertificates(bytes, "chain.pem")).isNotEmpty();
        } catch (MaterialException refused) {
            assertThat(refused.getMessage()).contains("chain.pem");
        }
    }
}
