package dev.crossgate.certsource.kubernetes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import dev.crossgate.tls.CertificateIssuer;
import dev.crossgate.tls.PemWriter;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/** What an operator does to a cluster for the gateway, as the admin: namespaces, a least-privilege Role, Secrets, tokens. */
public final class KubeCluster {

    private final KubeApiServer api;
    private final KubernetesClient admin;

    public KubeCluster(KubeApiServer api) throws Exception {
        this.api = api;
        this.admin = api.adminClient();
    }

    public KubernetesClient admin() {
        return admin;
    }

    public void namespace(String name) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .createOr(NonDeletingOperation::update);
    }

    /** A ServiceAccount bound to a Role that grants get, list and watch on exactly these Secrets. */
    public void serviceAccountReading(String namespace, String account, List<String> secrets) {
        namespace(namespace);
        admin.serviceAccounts().inNamespace(namespace)
                .resource(new ServiceAccountBuilder().withNewMetadata().withName(account).endMetadata().build())
                .createOr(NonDeletingOperation::update);
        admin.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName(account + "-secrets").endMetadata()
                .addNewRule().withApiGroups("").withResources("secrets").withResourceNames(secrets).withVerbs("get", "list", "watch").endRule()
                .build()).createOr(NonDeletingOperation::update);
        admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder().withNewMetadata().withName(account + "-secrets")
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(account + "-secrets")
                .endRoleRef().addNewSubject().withKind("ServiceAccount").withName(account).withNamespace(namespace).endSubject().build())
                .createOr(NonDeletingOperation::update);
    }

    /** A kubeconfig with a token of the ServiceAccount ({@code kubectl create token}), as a gateway outside the cluster would use. */
    public Path kubeconfigOf(String namespace, String account) throws Exception {
        return kubeconfigOf(namespace, account, api.port());
    }

    /** As {@link #kubeconfigOf(String, String)}, reaching the API server through another loopback port. */
    public Path kubeconfigOf(String namespace, String account, int serverPort) throws Exception {
        String token = api.kubectl("-n", namespace, "create", "token", account, "--duration", "2h").trim();
        return api.kubeconfig("system:serviceaccount:" + namespace + ":" + account, token, namespace, serverPort);
    }

    /** Creates or replaces a {@code kubernetes.io/tls} Secret with the certificate, its key and, when given, a CA bundle. */
    public Secret tlsSecret(String namespace, String name, CertificateIssuer.Issued issued, String caPem) {
        SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(name).endMetadata().withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(PemWriter.certificates(issued.certificate())))
                .addToData("tls.key", base64(PemWriter.pkcs8(issued.keyPair().getPrivate())));
        if (caPem != null) {
            secret.addToData("ca.crt", base64(caPem));
        }
        return put(namespace, secret.build());
    }

    /** Creates or replaces an Opaque Secret with only {@code ca.crt}: a trust bundle, as for a Skupper Connector. */
    public Secret caSecret(String namespace, String name, String caPem) {
        return put(namespace, new SecretBuilder().withNewMetadata().withName(name).endMetadata().withType("Opaque")
                .addToData("ca.crt", base64(caPem)).build());
    }

    public Secret put(String namespace, Secret secret) {
        return admin.secrets().inNamespace(namespace).resource(secret).createOr(NonDeletingOperation::update);
    }

    public void deleteSecret(String namespace, String name) {
        admin.secrets().inNamespace(namespace).withName(name).delete();
    }

    public static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
