package dev.crossgate.tls;

import java.security.Provider;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A BouncyCastle JCE provider handed explicitly to the few operations the JDK's providers cannot do
 * (PBES2 with the {@code AES/CBC/PKCS7Padding} name BouncyCastle asks for). It is never registered
 * with {@link java.security.Security}, and is created only when an encrypted PKCS#8 key is met, so
 * everyone else pays nothing for it at start-up.
 */
final class BouncyCastleJce {

    private BouncyCastleJce() {
    }

    static Provider provider() {
        return Holder.PROVIDER;
    }

    private static final class Holder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }
}
