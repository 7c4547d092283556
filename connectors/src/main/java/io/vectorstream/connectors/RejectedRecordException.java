package io.vectorstream.connectors;

/**
 * A decoded record that breaks a rule of the job (a field over its limit, an event time out of range): it becomes
 * a dead letter with this reason and reason class, never a job failure.
 */
public final class RejectedRecordException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reasonClass;

    /**
     * @param reason      names the field, the rule and the value
     * @param reasonClass the dead letter's reason class label, e.g. {@code invalid}
     */
    public RejectedRecordException(String reason, String reasonClass) {
        super(reason);
        this.reasonClass = reasonClass;
    }

    public String reasonClass() {
        return reasonClass;
    }
}
