package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every test of the HTTP data plane again (mutual TLS on both hops, HTTP/2, rotation, pooled backend connections,
 * refused handshakes) on two event loops that poll before they sleep ({@code crossgate.io.busy-poll}): a loop that polls
 * runs the tasks other threads hand it only when it stops, so what they do late would show here.
 */
class BusyPollDataPlaneTest extends HttpDataPlaneTest {

    @Override
    Map<String, String> environment(int backendPort) {
        Map<String, String> env = super.environment(backendPort);
        env.put("CROSSGATE_IO_BUSY_POLL", "200us");
        env.put("CROSSGATE_IO_THREADS", "2");
        return env;
    }

    /** Proves each inherited test ran on polling loops: a setting silently ignored would pass them all. */
    @AfterEach
    void servedByPollingLoops() throws Exception {
        if (gateway != null) {
            assertThat(gateway.logLines("event loop(s)")).singleElement().asString()
                    .contains("2 event loop(s), each polling for 200us before it sleeps (crossgate.io.busy-poll)");
        }
    }

    @Test
    void pollingLoopsSleepOnceTheTrafficStops() throws Exception {
        startGatewayWith(Map.of());
        for (int i = 0; i < 20; i++) {
            assertThat(curl("agent", "/orders?id=" + i).output()).endsWith("\n200");
        }
        // a fixed window polls every time a loop runs out of work, and /stats counts each poll and its time
        assertThat(gateway.stat("io.busy_poll.caught") + gateway.stat("io.busy_poll.missed")).isPositive();
        assertThat(gateway.stat("io.busy_poll.polling_us")).isPositive();
        ProcessHandle process = gateway.process.toHandle();
        Thread.sleep(500);
        Duration before = process.info().totalCpuDuration().orElseThrow();
        Thread.sleep(3000);
        Duration spent = process.info().totalCpuDuration().orElseThrow().minus(before);
        // two loops polling without end would spend the three seconds on each core they get; sleeping ones next to nothing
        assertThat(spent).isLessThan(Duration.ofSeconds(1));
    }
}
