package dev.crossgate.listener;

import java.time.Duration;
import java.util.Optional;

import dev.crossgate.config.ListenerConfig;

/** What the gateway needs of any listener to run it, report readiness and drain it. */
public interface Listener {

    ListenerConfig config();

    int port();

    /** Why handshakes cannot be served yet, if they cannot. */
    Optional<String> notReadyReason();

    /** Closes the listening socket; connections already accepted carry on. */
    void stopAccepting();

    /** Work still running: requests for HTTP, connections for TCP. */
    int inFlight();

    /** Closes whatever is still open. */
    void close(Duration grace);
}
