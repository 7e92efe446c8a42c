package dev.crossgate.config;

import java.util.List;
import java.util.Map;

/** {@code crossgate.listeners.<name>.*}: where to accept, how to treat TLS, and which connector to send to. */
public record ListenerConfig(String name, String host, int port, Protocol protocol, String connector, Tls tls, Map<String, String> sniRoutes,
                             StoreAndForward storeAndForward, Limits limits) {

    /**
     * What one listener holds at most, and how long it waits for a client.
     *
     * @param handshakeTimeout     from accept to a finished TLS handshake, however slowly the bytes come
     * @param idleTimeout          an HTTP connection with no request in progress and nothing read is closed after this
     * @param writeTimeout         an HTTP connection whose client reads nothing while data waits for it is closed after this
     * @param headerTimeout        from the first byte of an HTTP/1.1 request to the end of its headers
     * @param maxHeaderSize        bytes of HTTP request headers (HTTP/1.1 header block, HTTP/2 header list)
     * @param maxHeaderCount       header fields in one request
     * @param maxConcurrentStreams HTTP/2 streams open at once on one connection
     * @param maxResets            RST_STREAM frames one HTTP/2 client may send per {@value #RESET_WINDOW_SECONDS} s
     */
    public record Limits(int maxConnections, java.time.Duration handshakeTimeout, java.time.Duration idleTimeout,
                         java.time.Duration writeTimeout, java.time.Duration headerTimeout, int maxHeaderSize, int maxHeaderCount, int maxConcurrentStreams, int maxResets) {
        public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
        public static final java.time.Duration DEFAULT_HANDSHAKE_TIMEOUT = java.time.Duration.ofSeconds(10);
        public static final java.time.Duration DEFAULT_IDLE_TIMEOUT = java.time.Duration.ofMinutes(5);
        public static final java.time.Duration DEFAULT_WRITE_TIMEOUT = java.time.Duration.ofSeconds(60);
        public static final java.time.Duration DEFAULT_HEADER_TIMEOUT = java.time.Duration.ofSeconds(10);
        public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
        public static final int DEFAULT_MAX_HEADER_COUNT = 100;
        public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
        public static final int DEFAULT_MAX_RESETS = 200;
        public static final int RESET_WINDOW_SECONDS = 30;
    }

    public static final String PREFIX = "crossgate.listeners.";
    public static final List<String> KEYS = List.of("host", "port", "protocol", "connector", "tls.mode", "tls.certs",
            "tls.client-auth", "tls.trust", "tls.allowed-sans", "sni-routes", "store-and-forward.mode", "store-and-forward.max-bytes",
            "store-and-forward.overflow", "store-and-forward.spool-dir", "max-connections", "tls.handshake-timeout", "idle-timeout",
            "write-timeout", "http.header-timeout", "http.max-header-size", "http.max-header-count", "http2.max-concurrent-streams",
            "http2.max-resets");

    public enum Protocol { TCP, HTTP, GRPC }

    public enum TlsMode { TERMINATE, PASSTHROUGH, OFF }

    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    /**
     * @param certs       cert sources that give the server identity; with several, chosen by SNI
     * @param trust       cert source whose CA bundle verifies client certificates
     * @param allowedSans client identities admitted (DNS, URI, IP; {@code *.} wildcards); empty admits any verified client
     */
    public record Tls(TlsMode mode, List<String> certs, ClientAuth clientAuth, String trust, List<String> allowedSans) {
        public Tls {
            certs = List.copyOf(certs);
            allowedSans = List.copyOf(allowedSans);
        }
    }

    /**
     * SkyWalking reports accepted here and forwarded when the connector can take them (gRPC listeners only).
     *
     * @param maxBytes bound of what waits, in message bytes
     * @param spoolDir where waiting reports are kept across restarts ({@code disk} only)
     */
    public record StoreAndForward(Mode mode, long maxBytes, Overflow overflow, java.nio.file.Path spoolDir) {

        public enum Mode { OFF, MEMORY, DISK }

        /** What goes when the bound is reached: the oldest waiting report, or the one arriving. */
        public enum Overflow { DROP_OLDEST, DROP_NEWEST }

        public static final StoreAndForward OFF = new StoreAndForward(Mode.OFF, 0, Overflow.DROP_OLDEST, null);
        public static final long DEFAULT_MAX_BYTES = 64L << 20;

        public boolean enabled() {
            return mode != Mode.OFF;
        }
    }

    public ListenerConfig {
        sniRoutes = Map.copyOf(sniRoutes);
    }

    /** Connectors this listener sends to: its connector, or every target of its SNI routes. */
    public java.util.Collection<String> connectors() {
        return connector != null ? List.of(connector) : new java.util.TreeSet<>(sniRoutes.values());
    }

    public String property(String key) {
        return PREFIX + name + "." + key;
    }
}
