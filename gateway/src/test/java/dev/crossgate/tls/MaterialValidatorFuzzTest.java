package dev.crossgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Chain, key and trust bundle as one source delivers them, each any bytes: validation ends in material or in a
 * {@link MaterialException}, whose message quotes nothing of the key.
 */
class MaterialValidatorFuzzTest {

    private static final MaterialValidator VALIDATOR = new MaterialValidator(Clock.systemUTC(), Duration.ofDays(7), true);
    private static final MaterialValidator.Origins ORIGINS = new MaterialValidator.Origins("chain.pem", "key.pem", "ca.pem");

    @FuzzTest(maxDuration = "15s")
    void chainKeyAndTrustTogether(FuzzedDataProvider data) {
        byte[] chain = data.consumeBytes(data.consumeInt(0, 8192));
        byte[] key = data.consumeBytes(data.consumeInt(0, 8192));
        byte[] trust = data.consumeRemainingAsBytes();
        try {
            MaterialValidator.Result result = VALIDATOR.validate("fuzz", chain.length == 0 ? null : chain, key.length == 0 ? null : key,
                    null, trust.length == 0 ? null : trust, ORIGINS);
            assertThat(result.material()).isNotNull();
        } catch (MaterialException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            MaterialReaderFuzzTest.assertNoRunOfTheInputIn(refused.getMessage(), key);
        }
    }
}
