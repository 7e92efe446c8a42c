package dev.crossgate.config;

import java.util.List;

/** {@code crossgate.admin.*}: where {@code /stats}, {@code /metrics}, {@code /certs} and {@code /health/*} are served. */
public record AdminConfig(String host, int port) {

    public static final String PREFIX = "crossgate.admin.";
    public static final List<String> KEYS = List.of("host", "port");
    public static final int DEFAULT_PORT = 9901;
    public static final String DEFAULT_HOST = "0.0.0.0";
}
