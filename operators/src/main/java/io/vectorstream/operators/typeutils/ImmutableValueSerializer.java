package io.vectorstream.operators.typeutils;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of VectorStream's hand-written serializers for immutable values: stateless, variable length,
 * copy is identity. Subclasses write one format and read every format version up to it
 * ({@link #formatVersion()} is the version of the data being read, set by the snapshot on restore).
 * Stateless and therefore thread-safe.
 */
public abstract class ImmutableValueSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final int formatVersion;

    protected ImmutableValueSerializer(int formatVersion) {
        this.formatVersion = formatVersion;
    }

    /** The format version this instance reads. */
    public final int formatVersion() {
        return formatVersion;
    }

    @Override
    public final boolean isImmutableType() {
        return true;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return from;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass()
                && ((ImmutableValueSerializer<?>) obj).formatVersion == formatVersion;
    }

    @Override
    public int hashCode() {
        return getClass().hashCode() * 31 + formatVersion;
    }
}
