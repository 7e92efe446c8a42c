package dev.crossgate.config;

import java.util.List;

/** {@code crossgate.listeners.<name>.*}: where to accept, how to treat TLS, and which connector to send to. */
public record ListenerConfig(String name, String host, int port, Protocol protocol, String connector, Tls tls) {

    public static final String PREFIX = "crossgate.listeners.";
    public static final List<String> KEYS = List.of("host", "port", "protocol", "connector", "tls.mode", "tls.certs",
            "tls.client-auth", "tls.trust", "tls.allowed-sans", "sni-routes");

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

    public String property(String key) {
        return PREFIX + name + "." + key;
    }
}
