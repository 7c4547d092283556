package io.vectorstream.index;

import java.io.IOException;

/** Saved index data that cannot be read: truncated, corrupted, or written by an unknown format version. */
public final class IndexFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IndexFormatException(String message) {
        super(message);
    }

    public IndexFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
