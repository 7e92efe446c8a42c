package dev.crossgate.certsource.acmpca;

/**
 * A call to ACM Private CA that did not give what was asked for, explained for the operator: what failed, why,
 * and which setting or IAM grant fixes it. Never carries credentials.
 */
final class AwsFault extends Exception {

    /** Stable names for counters and dashboards. */
    enum Kind {
        ACCESS_DENIED,
        CREDENTIALS,
        THROTTLED,
        SERVER_ERROR,
        CA_NOT_FOUND,
        CA_NOT_ACTIVE,
        LIMIT_EXCEEDED,
        REQUEST_REFUSED,
        UNREACHABLE,
        ISSUE_TIMEOUT
    }

    private final Kind kind;

    AwsFault(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
