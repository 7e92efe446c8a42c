package dev.crossgate.certsource.kubernetes;

import java.time.Clock;

import dev.crossgate.certsource.MaterialStreamSource;
import dev.crossgate.tls.MaterialValidator;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** TLS material from one Kubernetes Secret, followed through the API as it changes. */
public final class KubernetesCertificateSource extends MaterialStreamSource {

    public static final String TYPE = "kubernetes";

    private final KubernetesClient client;
    private final SecretWatch watch;

    KubernetesCertificateSource(SecretRef ref, Config config, MaterialValidator validator, Clock clock) {
        super(ref.sourceName(), TYPE, clock);
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.watch = new SecretWatch(ref, new SecretMaterialLoader(ref, validator), stream, client);
    }

    /** Returns at once: the Secret's material arrives when the first list answers; until then, users of it are not ready. */
    @Override
    protected void begin() {
        watch.start();
    }

    @Override
    protected void end() {
        watch.stop();
        client.close();
    }
}
