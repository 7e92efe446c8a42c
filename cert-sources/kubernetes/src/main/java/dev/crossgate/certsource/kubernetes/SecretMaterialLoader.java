package dev.crossgate.certsource.kubernetes;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.MaterialValidator;
import io.fabric8.kubernetes.api.model.Secret;

/**
 * Turns a Secret into validated material, with the keys Skupper and cert-manager use: {@code tls.crt} and
 * {@code tls.key} (a {@code kubernetes.io/tls} Secret) give the identity, {@code ca.crt} the trust bundle; a
 * Secret with only {@code ca.crt} is a trust bundle alone.
 */
final class SecretMaterialLoader {

    static final String CERT = "tls.crt";
    static final String KEY = "tls.key";
    static final String CA = "ca.crt";

    private final SecretRef ref;
    private final MaterialValidator validator;
    private final MaterialValidator.Origins origins;

    SecretMaterialLoader(SecretRef ref, MaterialValidator validator) {
        this.ref = ref;
        this.validator = validator;
        this.origins = new MaterialValidator.Origins(origin(CERT), origin(KEY), origin(CA));
    }

    MaterialValidator.Result load(Secret secret) throws MaterialException {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        byte[] cert = decode(data, CERT);
        byte[] key = decode(data, KEY);
        byte[] ca = decode(data, CA);
        try {
            if (cert == null && key == null && ca == null) {
                throw new MaterialException(MaterialException.Reason.INCOMPLETE, "secret " + ref + " holds none of " + CERT + ", " + KEY
                        + " and " + CA + " (it has " + data.keySet() + "); create it with kubectl create secret tls " + ref.name()
                        + " --cert=... --key=..., or give it a " + CA + " for a trust bundle alone");
            }
            return validator.validate(ref.sourceName(), cert, key, null, ca, origins);
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    private byte[] decode(Map<String, String> data, String entry) throws MaterialException {
        String value = data.get(entry);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Base64.getMimeDecoder().decode(value.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new MaterialException(MaterialException.Reason.NOT_PEM_OR_DER, origin(entry) + " is not valid base64: " + e.getMessage());
        }
    }

    private String origin(String entry) {
        return "secret " + ref + " key " + entry;
    }
}
