package dev.crossgate.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.crossgate.admin.Stats;
import dev.crossgate.config.ConnectorConfig;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;
import reactor.netty.resources.LoopResources;

class HttpConnectorTest {

    /** Reactor Netty's pool (gRPC and plaintext listeners) reports a full queue and a wait run out in its own exceptions. */
    @Test
    void aWaitForAConnectionThatCannotBeHadIsExhaustionNotABackendTimeout() {
        ConnectorConfig config = new ConnectorConfig("b", "127.0.0.1", 1, new ConnectorConfig.Tls(false, null, null, "127.0.0.1", false),
                Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 1);
        Stats stats = new Stats();
        LoopResources loops = LoopResources.create("connector-test", 1, true);
        try (HttpConnector grpc = new HttpConnector(config, null, true, loops, stats)) {
            // PoolAcquireTimeoutException is a TimeoutException, which otherwise means the backend did not answer
            assertThat(grpc.failed(new PoolAcquireTimeoutException(Duration.ofSeconds(5)))).isEqualTo(HttpConnector.Failure.EXHAUSTED);
            assertThat(grpc.failed(new RuntimeException("acquire", new PoolAcquirePendingLimitException(1)))).isEqualTo(HttpConnector.Failure.EXHAUSTED);
            assertThat(grpc.failed(ReadTimeoutException.INSTANCE)).isEqualTo(HttpConnector.Failure.TIMEOUT);
            assertThat(stats.snapshot()).containsEntry("connector.b.failure.exhausted", 2L).containsEntry("connector.b.failure.timeout", 1L);
            assertThat(grpc.describe(HttpConnector.Failure.EXHAUSTED)).isEqualTo("connector b has all of its 1 connections to the backend in use "
                    + "(crossgate.connectors.b.max-connections) and no room or time to wait for one (crossgate.connectors.b.max-pending-requests, "
                    + "crossgate.connectors.b.connect-timeout)");
        } finally {
            loops.dispose();
        }
    }
}
