package dev.crossgate.admin;

import java.net.SocketAddress;

/** How log lines name things, the same in every line. */
public final class LogFields {

    private LogFields() {
    }

    /** A peer as {@code 127.0.0.1:35856}: the address without the JDK's leading slash; {@code -} when unknown. */
    public static String peer(SocketAddress address) {
        return address == null ? "-" : address.toString().replaceFirst("^/", "");
    }
}
