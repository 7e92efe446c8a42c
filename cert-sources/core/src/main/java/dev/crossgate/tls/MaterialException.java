package dev.crossgate.tls;

/**
 * Why a piece of TLS material was refused. The message names the file or setting and the cause;
 * it never carries key bytes, passphrases or file contents.
 */
public final class MaterialException extends Exception {

    /** The reasons users see in logs and counters; stable names, so dashboards can match on them. */
    public enum Reason {
        EMPTY,
        NOT_PEM_OR_DER,
        TRUNCATED,
        WRONG_CONTENT,
        UNREADABLE,
        BAD_PASSWORD,
        UNSUPPORTED_KEY,
        WEAK_KEY,
        KEY_MISMATCH,
        EXPIRED,
        NOT_YET_VALID,
        CHAIN_BROKEN,
        UNTRUSTED_CHAIN,
        INCOMPLETE
    }

    private final Reason reason;

    public MaterialException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MaterialException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** A rotation in progress can leave files in these states for a moment; they deserve a second look. */
    public boolean mayBeMidRotation() {
        return switch (reason) {
            case EMPTY, TRUNCATED, KEY_MISMATCH, INCOMPLETE, UNREADABLE, CHAIN_BROKEN, UNTRUSTED_CHAIN -> true;
            default -> false;
        };
    }
}
