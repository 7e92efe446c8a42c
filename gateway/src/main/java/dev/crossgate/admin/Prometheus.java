package dev.crossgate.admin;

/**
 * The same figures as {@code /stats} in Prometheus' text format: {@code listener.edge.ssl.handshake}
 * becomes the counter {@code crossgate_listener_edge_ssl_handshake_total}; gauges keep their name.
 */
final class Prometheus {

    private Prometheus() {
    }

    static String render(Stats stats) {
        StringBuilder out = new StringBuilder();
        stats.snapshot().forEach((name, value) -> {
            boolean gauge = stats.isGauge(name);
            String metric = "crossgate_" + name.replaceAll("[^A-Za-z0-9_]", "_") + (gauge ? "" : "_total");
            out.append("# TYPE ").append(metric).append(gauge ? " gauge\n" : " counter\n");
            out.append(metric).append(' ').append(value).append('\n');
        });
        return out.toString();
    }
}
