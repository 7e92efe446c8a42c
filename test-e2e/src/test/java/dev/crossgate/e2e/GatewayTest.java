package dev.crossgate.e2e;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test that starts one gateway process in its own folder: the process is stopped (and checked for leaks) after each test. */
abstract class GatewayTest {

    @TempDir
    Path dir;

    GatewayProcess gateway;

    @AfterEach
    void closeGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }
}
