package io.vectorstream.connectors;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * A {@link SerializationSchema} over a {@link RecordCodec} that also states its record type, which the Kafka
 * sink's lineage reporting needs (it cannot infer the type of a lambda). Used by one task thread at a time.
 */
public final class CodecSerializationSchema<T> implements SerializationSchema<T>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    private final RecordCodec<T> codec;
    private final TypeInformation<T> type;

    public CodecSerializationSchema(RecordCodec<T> codec, TypeInformation<T> type) {
        this.codec = codec;
        this.type = type;
    }

    @Override
    public byte[] serialize(T element) {
        return codec.encode(element);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }
}
