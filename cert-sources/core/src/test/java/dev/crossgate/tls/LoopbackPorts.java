package dev.crossgate.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port on loopback that nothing listens on right now, for a server a test is about to start (a gateway process, a
 * backend). The port is free when returned and bound by the server a moment later; in between, any outgoing connection
 * may take it as its own local port if it lies in the kernel's ephemeral range (32768-60999 by default), and the server
 * then fails to bind. So ports come from below that range (and above bench/run.sh's fixed 18000-19999), each once per
 * test JVM, from an offset that differs between JVMs.
 */
public final class LoopbackPorts {

    private static final int FIRST = 20_000;
    private static final int COUNT = 12_000;
    private static final AtomicInteger NEXT = new AtomicInteger((int) (ProcessHandle.current().pid() * 7_919 % COUNT));

    private LoopbackPorts() {
    }

    public static int free() {
        for (int tried = 0; tried < COUNT; tried++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException inUse) {
                // taken: the next one
            }
        }
        throw new IllegalStateException("no free port on loopback between " + FIRST + " and " + (FIRST + COUNT - 1));
    }
}
