package dev.crossgate.config;

import java.time.Duration;
import java.util.List;

/** {@code crossgate.connectors.<name>.*}: the backend to dial and how to speak TLS to it. */
public record ConnectorConfig(String name, String host, int port, Tls tls, Duration connectTimeout, Duration responseTimeout,
                              int maxConnections, int maxPendingRequests) {

    public static final String PREFIX = "crossgate.connectors.";
    public static final List<String> KEYS = List.of("address", "tls.mode", "tls.certs", "tls.trust", "tls.server-name",
            "tls.insecure-skip-verify", "connect-timeout", "response-timeout", "max-connections",
            "max-pending-requests");
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;

    /**
     * @param certs      cert source of the client identity presented for mTLS, or null
     * @param trust      cert source whose CA bundle verifies the backend, or null with insecureSkipVerify
     * @param serverName SNI sent and name verified in the backend's certificate
     */
    public record Tls(boolean originate, String certs, String trust, String serverName, boolean insecureSkipVerify) {
    }

    public String address() {
        return host + ":" + port;
    }

    public String property(String key) {
        return PREFIX + name + "." + key;
    }
}
