package io.vectorstream.operators.typeutils;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a stateless {@link ImmutableValueSerializer}: its only configuration is the data format
 * version, which Flink stores next to every checkpoint and savepoint. On restore, data of an older version is
 * read by a serializer configured for it and rewritten in the current format (compatible after migration);
 * data of a newer version than this code knows is refused.
 *
 * <p>Subclasses need a public no-argument constructor: Flink instantiates snapshots by class name.
 */
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private final int currentVersion;
    private int readVersion;

    protected VersionedSerializerSnapshot(int currentVersion) {
        this.currentVersion = currentVersion;
        this.readVersion = currentVersion;
    }

    /** A serializer that reads data written in {@code formatVersion}. */
    protected abstract TypeSerializer<T> serializerFor(int formatVersion);

    @Override
    public final int getCurrentVersion() {
        return currentVersion;
    }

    @Override
    public final void writeSnapshot(DataOutputView out) {
        // Nothing beyond the version, which Flink writes itself.
    }

    @Override
    public final void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
        if (version < 1 || version > currentVersion) {
            throw new IOException(getClass().getSimpleName() + " version must be in [1, " + currentVersion
                    + "]; version=" + version);
        }
        this.readVersion = version;
    }

    /** The format version of the data this snapshot describes. */
    public final int readVersion() {
        return readVersion;
    }

    @Override
    public final TypeSerializer<T> restoreSerializer() {
        return serializerFor(readVersion);
    }

    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        if (old == null || old.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int oldVersion = ((VersionedSerializerSnapshot<T>) old).readVersion;
        return oldVersion == currentVersion
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}
