package io.vectorstream.operators.internal;

import io.vectorstream.operators.DeadLetter;

/**
 * A record the operator refuses, with the dead letter's reason. A normal outcome, not an error: it carries no
 * stack trace. Thread-safe (immutable).
 */
public final class RecordRejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final DeadLetter.ReasonClass reasonClass;

    public RecordRejected(String reason, DeadLetter.ReasonClass reasonClass) {
        super(reason, null, false, false);
        this.reasonClass = reasonClass;
    }

    public DeadLetter.ReasonClass reasonClass() {
        return reasonClass;
    }
}
