package dev.crossgate.certsource.kubernetes;

import java.util.Set;

import dev.crossgate.certsource.CertificateSource;
import dev.crossgate.certsource.CertificateSourceProvider;
import dev.crossgate.certsource.SettingException;
import dev.crossgate.certsource.SourceSettings;
import io.fabric8.kubernetes.client.Config;

/** {@code crossgate.certs.<name>.source=kubernetes}. */
public final class KubernetesSourceProvider implements CertificateSourceProvider {

    public static final String NAMESPACE = "namespace";
    public static final String SECRET_NAME = "secret-name";

    @Override
    public String type() {
        return KubernetesCertificateSource.TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of(NAMESPACE, SECRET_NAME);
    }

    /** Reads the client configuration as fabric8 finds it: in a pod its service account, outside one $KUBECONFIG or ~/.kube/config. */
    @Override
    public CertificateSource create(SourceSettings settings) throws SettingException {
        Config config = Config.autoConfigure(null);
        return new KubernetesCertificateSource(spec(settings, config.getNamespace()), config, settings.validator(), settings.clock());
    }

    static SecretRef spec(SourceSettings settings, String defaultNamespace) throws SettingException {
        String name = settings.required(SECRET_NAME);
        String namespace = settings.optional(NAMESPACE).orElse(defaultNamespace);
        if (namespace == null || namespace.isBlank()) {
            throw new SettingException("source " + settings.name() + " needs " + settings.describe(NAMESPACE)
                    + ": there is no service account namespace (not in a pod) and the kubeconfig context names none");
        }
        objectName(settings, SECRET_NAME, name);
        objectName(settings, NAMESPACE, namespace);
        return new SecretRef(settings.name(), namespace, name);
    }

    private static void objectName(SourceSettings settings, String key, String value) throws SettingException {
        if (!value.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || value.length() > 253) {
            throw new SettingException(settings.describe(key) + ": '" + value + "' is not a Kubernetes object name "
                    + "(lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)");
        }
    }
}
