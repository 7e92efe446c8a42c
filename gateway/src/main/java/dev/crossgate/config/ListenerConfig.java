package dev.crossgate.config;

import java.util.List;
import java.util.Map;

/** {@code crossgate.listeners.<name>.*}: where to accept, how to treat TLS, and which connector to send to. */
public record ListenerConfig(String name, String host, int port, Protocol protocol, String connector, Tls tls, Map<String, String> sniRoutes,
                             StoreAndForward storeAndForward, Limits limits) {

    /**
     * What one listener holds at most.
     *
     * @param maxHeaderSize        bytes of HTTP request headers (HTTP/1.1 header block, HTTP/2 header list)
     * @param maxConcurrentStreams HTTP/2 streams open at once on one connection
     */
    public record Limits(int maxConnections, int maxHeaderSize, int maxConcurrentStreams) {
        public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
        public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
        public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    }

    public static final String PREFIX = "crossgate.listeners.";
    public static final List<String> KEYS = List.of("host", "port", "protocol", "connector", "tls.mode", "tls.certs",
            "tls.client-auth", "tls.trust", "tls.allowed-sans", "sni-routes", "store-and-forward.mode", "store-and-forward.max-bytes",
            "store-and-forward.overflow", "store-and-forward.spool-dir", "max-connections", "http.max-header-size",
            "http2.max-concurrent-streams");

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
