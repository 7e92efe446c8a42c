package dev.crossgate.certsource.kubernetes;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.crossgate.certsource.MaterialStream;
import dev.crossgate.tls.MaterialException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Follows one Secret with an informer limited to its name (a list and watch with {@code fieldSelector=metadata.name=<name>},
 * which RBAC authorizes against {@code resourceNames}): never a list of every Secret in the namespace. The informer
 * re-watches after an API-server restart or a lost connection and lists again after {@code 410 Gone}, so no
 * version is missed; every failure is explained and retried with back-off, never a crash.
 */
final class SecretWatch implements ResourceEventHandler<Secret> {

    private static final Logger LOG = LoggerFactory.getLogger(SecretWatch.class);
    private static final Pattern FORBIDDEN_VERB = Pattern.compile("cannot (\\w+) resource");
    private static final String RETRYING = "the watch retries with back-off";

    private final SecretRef ref;
    private final SecretMaterialLoader loader;
    private final MaterialStream stream;
    private final SharedIndexInformer<Secret> informer;
    private volatile boolean stopped;

    SecretWatch(SecretRef ref, SecretMaterialLoader loader, MaterialStream stream, KubernetesClient client) {
        this.ref = ref;
        this.loader = loader;
        this.stream = stream;
        this.informer = client.secrets().inNamespace(ref.namespace()).withName(ref.name()).runnableInformer(0);
        informer.addEventHandler(this);
        informer.exceptionHandler((started, failure) -> {
            if (!stopped) {
                failed(failure);
            }
            return !stopped;
        });
    }

    /**
     * Returns at once; the first list answers on the informer's own thread. Failures reach the exception handler,
     * which keeps the informer retrying: the start future only fails when the watch is stopped first.
     */
    void start() {
        informer.start();
    }

    void stop() {
        stopped = true;
        informer.stop();
    }

    @Override
    public void onAdd(Secret secret) {
        apply(secret);
    }

    @Override
    public void onUpdate(Secret before, Secret after) {
        apply(after);
    }

    @Override
    public void onDelete(Secret secret, boolean finalStateUnknown) {
        stream.fetchFailed("SECRET_DELETED", "secret " + ref + " was deleted; it is served again as soon as it is re-created",
                "watching for it");
    }

    /** The list came back empty: the Secret does not exist (yet). */
    @Override
    public void onNothing() {
        stream.fetchFailed("SECRET_NOT_FOUND", "secret " + ref + " does not exist; create it, e.g. kubectl -n " + ref.namespace()
                + " create secret tls " + ref.name() + " --cert=tls.crt --key=tls.key", "watching for it");
    }

    private void apply(Secret secret) {
        try {
            var result = loader.load(secret);
            stream.accept(result.material(), result.warnings());
        } catch (MaterialException e) {
            stream.reject(e);
        } catch (RuntimeException e) {
            LOG.error("source={} unexpected failure reading secret {}", ref.sourceName(), ref, e);
        }
    }

    private void failed(Throwable failure) {
        KubernetesClientException api = find(failure, KubernetesClientException.class);
        int code = api == null ? 0 : api.getCode();
        String detail = api != null && api.getStatus() != null && api.getStatus().getMessage() != null ? api.getStatus().getMessage()
                : rootCause(failure);
        if (code == 403) {
            Matcher verb = FORBIDDEN_VERB.matcher(detail);
            stream.fetchFailed("FORBIDDEN", "the API server refused to " + (verb.find() ? verb.group(1) : "read") + " secret " + ref
                    + " (" + detail + "); the gateway's ServiceAccount needs a Role in namespace " + ref.namespace()
                    + " granting get, list and watch on secrets with resourceNames [" + ref.name() + "], and a RoleBinding to it "
                    + "(k8s/base/role.yaml)", RETRYING);
        } else if (code == 401) {
            stream.fetchFailed("UNAUTHORIZED", "the API server did not accept the gateway's credentials for secret " + ref + " (" + detail
                    + "); check the service account token, or the kubeconfig ($KUBECONFIG, ~/.kube/config) outside a cluster", RETRYING);
        } else if (code == 404) {
            stream.fetchFailed("NAMESPACE_NOT_FOUND", "the API server knows no namespace " + ref.namespace() + " for secret " + ref
                    + " (" + detail + "); check crossgate.certs." + ref.sourceName() + ".namespace", RETRYING);
        } else if (code <= 0 && (find(failure, ConnectException.class) != null || find(failure, UnknownHostException.class) != null
                || find(failure, java.io.IOException.class) != null)) {
            stream.fetchFailed("UNREACHABLE", "cannot reach the Kubernetes API server for secret " + ref + " (" + detail
                    + "); check the network path, or the server in the kubeconfig outside a cluster", RETRYING);
        } else {
            stream.fetchFailed("API_ERROR", "watching secret " + ref + " failed" + (code <= 0 ? "" : " with HTTP " + code) + " (" + detail + ")",
                    RETRYING);
        }
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
