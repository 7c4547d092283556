package io.vectorstream.index;

import java.io.IOException;

/**
 * Saved index data that cannot be read: truncated, corrupted (the message says so, e.g. {@code "checksum
 * mismatch: stored 0x..., computed 0x..."}), or written by an unknown format version. Immutable.
 */
public final class IndexFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message names what is wrong. */
    public IndexFormatException(String message) {
        super(message);
    }

    /** An exception whose message names what is wrong, caused by {@code cause}. */
    public IndexFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
