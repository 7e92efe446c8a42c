package dev.crossgate.certsource.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.crossgate.tls.MaterialException;
import dev.crossgate.tls.MaterialValidator;

/** Reads the configured files once, and turns their bytes into validated material. */
final class FileMaterialLoader {

    /** The files' bytes as read at one moment, and a digest to tell whether anything changed since. */
    record Snapshot(byte[] cert, byte[] key, byte[] ca, byte[] ocsp, String digest) {
    }

    private final FileSourceSpec spec;
    private final MaterialValidator validator;
    private final MaterialValidator.Origins origins;
    private final java.time.Clock clock;

    FileMaterialLoader(FileSourceSpec spec, MaterialValidator validator, java.time.Clock clock) {
        this.spec = spec;
        this.validator = validator;
        this.clock = clock;
        this.origins = new MaterialValidator.Origins(
                spec.certPath().map(Path::toString).orElse("(no cert-path)"),
                spec.keyPath().map(Path::toString).orElse("(no key-path)"),
                spec.caPath().map(Path::toString).orElse("(no ca-path)"));
    }

    Snapshot read() throws MaterialException {
        byte[] cert = readFile(spec.certPath());
        byte[] key = readFile(spec.keyPath());
        byte[] ca = readFile(spec.caPath());
        byte[] ocsp = readFile(spec.ocspPath());
        return new Snapshot(cert, key, ca, ocsp, digest(cert, key, ca, ocsp));
    }

    MaterialValidator.Result load(Snapshot snapshot) throws MaterialException {
        MaterialValidator.Result result = validator.validate(spec.name(), snapshot.cert(), snapshot.key(),
                spec.keyPassword().orElse(null), snapshot.ca(), origins);
        if (snapshot.ocsp() != null) {
            var material = result.material();
            byte[] checked = dev.crossgate.tls.OcspResponses.check(snapshot.ocsp(), material.leaf().orElseThrow(), clock.instant(),
                    spec.ocspPath().orElseThrow().toString());
            result = new MaterialValidator.Result(material.withOcspResponse(checked), result.warnings());
        }
        Optional<String> exposed = spec.keyPath().flatMap(FileMaterialLoader::readableByOthers);
        if (exposed.isEmpty()) {
            return result;
        }
        List<String> warnings = new java.util.ArrayList<>(result.warnings());
        warnings.add(exposed.get());
        return new MaterialValidator.Result(result.material(), List.copyOf(warnings));
    }

    /** A private key file that group or others may read is a key half given away: said at every load, never refused. */
    static Optional<String> readableByOthers(Path key) {
        try {
            var permissions = Files.getPosixFilePermissions(key);
            if (permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                    || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                return Optional.of("the private key " + key + " is readable by group or others ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "); chmod 600 it, or for a Kubernetes "
                        + "Secret volume set defaultMode: 0400 (or use source=kubernetes, which reads the Secret through the API)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or gone meanwhile: nothing to say
        }
        return Optional.empty();
    }

    private static byte[] readFile(Optional<Path> path) throws MaterialException {
        if (path.isEmpty()) {
            return null;
        }
        try {
            return Files.readAllBytes(path.get());
        } catch (NoSuchFileException e) {
            throw new MaterialException(MaterialException.Reason.UNREADABLE, path.get() + " does not exist (yet)", e);
        } catch (IOException e) {
            throw new MaterialException(MaterialException.Reason.UNREADABLE, path.get() + " cannot be read: " + e, e);
        }
    }

    private static String digest(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                // Lengths keep ("ab","c") and ("a","bc") apart.
                sha.update(Integer.toString(part == null ? -1 : part.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sha.update((byte) 0);
                if (part != null) {
                    sha.update(part);
                }
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void wipe(Snapshot snapshot) {
        if (snapshot != null && snapshot.key() != null) {
            Arrays.fill(snapshot.key(), (byte) 0);
        }
    }
}
