package dev.crossgate.admin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.crossgate.certs.CertificateSources;
import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.SourceCounters;
import dev.crossgate.config.AdminConfig;
import dev.crossgate.tls.CertificateFacts;
import dev.crossgate.tls.TlsMaterial;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The admin port: read-only views of the gateway. {@code /stats} in Envoy's text form, {@code /metrics}
 * for Prometheus, {@code /certs} as JSON, and the two health checks. Nothing here changes state, and no
 * private key, password or token is ever part of an answer.
 */
public final class AdminServer implements AutoCloseable {

    static final java.util.Set<String> PATHS = java.util.Set.of("/stats", "/metrics", "/certs", "/health/liveness", "/health/readiness");

    private final DisposableServer server;

    /** @param readiness what is not ready yet, empty when everything is */
    public AdminServer(AdminConfig config, Stats stats, CertificateSources sources, List<String> plaintextListeners,
                       Supplier<List<String>> readiness, LoopResources loops) {
        this.server = HttpServer.create().host(config.host()).port(config.port()).runOn(loops)
                .route(routes -> routes
                        .get("/stats", (request, response) -> text(response, HttpResponseStatus.OK, stats(stats)))
                        .get("/metrics", (request, response) -> text(response, HttpResponseStatus.OK, Prometheus.render(stats)))
                        .get("/certs", (request, response) -> json(response, certs(sources, plaintextListeners)))
                        .get("/health/liveness", (request, response) -> text(response, HttpResponseStatus.OK, "alive\n"))
                        .get("/health/readiness", (request, response) -> {
                            List<String> notReady = readiness.get();
                            return notReady.isEmpty() ? text(response, HttpResponseStatus.OK, "ready\n")
                                    : text(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready:\n- " + String.join("\n- ", notReady) + "\n");
                        })
                        // read-only by design: nothing here changes the gateway, whoever can reach the port
                        .route(request -> PATHS.contains(request.fullPath()), (request, response) -> text(
                                response.header(HttpHeaderNames.ALLOW, "GET"), HttpResponseStatus.METHOD_NOT_ALLOWED,
                                request.method() + " " + request.fullPath() + ": the admin endpoints only answer GET\n")))
                .bindNow(Duration.ofSeconds(10));
    }

    public int port() {
        return server.port();
    }

    private static String stats(Stats stats) {
        StringBuilder out = new StringBuilder();
        stats.snapshot().forEach((name, value) -> out.append(name).append(": ").append(value).append('\n'));
        return out.toString();
    }

    private static Map<String, Object> certs(CertificateSources sources, List<String> plaintextListeners) {
        List<Object> entries = new ArrayList<>();
        for (CertificateSource source : sources.all()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", source.name());
            entry.put("source", source.type());
            TlsMaterial material = source.current().orElse(null);
            entry.put("ready", material != null);
            if (material != null) {
                entry.put("loaded_at", material.loadedAt().toString());
                material.leafFacts().ifPresent(leaf -> entry.put("certificate", facts(leaf)));
                entry.put("ca_bundle", material.trustFacts().stream().map(AdminServer::facts).toList());
            }
            SourceCounters counters = source.counters();
            entry.put("reloads", counters.reloads());
            entry.put("rejected_reloads", counters.rejectedReloads());
            entry.put("fetch_failures", counters.fetchFailures());
            failure(entry, "last_rejection", counters.lastRejection());
            failure(entry, "last_fetch_failure", counters.lastFetchFailure());
            entries.add(entry);
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("certificates", entries);
        all.put("plaintext_listeners", plaintextListeners);
        return all;
    }

    private static void failure(Map<String, Object> entry, String key, SourceCounters.Failure failure) {
        if (failure != null) {
            entry.put(key, Map.of("at", failure.at().toString(), "reason", failure.reason(), "message", failure.message()));
        }
    }

    private static Map<String, Object> facts(CertificateFacts facts) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("subject", facts.subject());
        out.put("subject_alt_names", facts.subjectAltNames().stream().map(Object::toString).toList());
        out.put("serial", facts.serial());
        out.put("issuer", facts.issuer());
        out.put("not_before", facts.notBefore().toString());
        out.put("not_after", facts.notAfter().toString());
        out.put("seconds_to_expiry", facts.secondsToExpiry(Instant.now()));
        out.put("sha256_fingerprint", facts.sha256Fingerprint());
        out.put("key", facts.keyDescription());
        return out;
    }

    private static Mono<Void> text(HttpServerResponse response, HttpResponseStatus status, String body) {
        return send(response, status, "text/plain; charset=utf-8", body);
    }

    private static Mono<Void> json(HttpServerResponse response, Object value) {
        return send(response, HttpResponseStatus.OK, "application/json", Json.write(value));
    }

    private static Mono<Void> send(HttpServerResponse response, HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return response.status(status).header(HttpHeaderNames.CONTENT_TYPE, type)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length)).sendByteArray(Mono.just(bytes)).then();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(2));
    }
}
