package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Key files are users' bytes: truncated, swapped, of another format, or garbage. Whatever they hold, reading them
 * ends in a key or in a {@link MaterialException} naming the file, never in another exception (which a reload loop
 * would not expect), and the message never quotes the file's bytes. Seeds: PKCS#8, PKCS#1, SEC1 and encrypted keys;
 * {@code crash-*} beside them are past findings, replayed as regression tests.
 */
class MaterialReaderFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void privateKey(byte[] bytes) {
        try {
            assertThat(MaterialReader.readPrivateKey(bytes, "fuzz-password".toCharArray(), "key.pem")).isNotNull();
        } catch (MaterialException refused) {
            assertThat(refused.getMessage()).contains("key.pem");
            assertNoRunOfTheInputIn(refused.getMessage(), bytes);
        }
    }

    /** No 20 characters in a row of the input appear in the message: enough to leak nothing of a base64 body. */
    static void assertNoRunOfTheInputIn(String message, byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int i = 0; i + 20 <= text.length(); i += 4) {
            String run = text.substring(i, i + 20);
            if (run.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '/')) {
                assertThat(message).as("the message quotes the input").doesNotContain(run);
            }
        }
    }
}
