package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.DeadLetterSerializer;
import io.vectorstream.operators.typeutils.QueryResultSerializer;
import io.vectorstream.operators.typeutils.SerializerTypeInfo;
import io.vectorstream.operators.typeutils.VectorEventSerializer;
import io.vectorstream.operators.typeutils.VectorQuerySerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink type information of VectorStream's records: hand-written serializers, never Kryo. */
public final class VectorStreamTypes {
    private VectorStreamTypes() {}

    public static final TypeInformation<VectorEvent> EVENT =
            new SerializerTypeInfo<>(VectorEvent.class, VectorEventSerializer.INSTANCE);
    public static final TypeInformation<VectorQuery> QUERY =
            new SerializerTypeInfo<>(VectorQuery.class, VectorQuerySerializer.INSTANCE);
    public static final TypeInformation<QueryResult> RESULT =
            new SerializerTypeInfo<>(QueryResult.class, QueryResultSerializer.INSTANCE);
    public static final TypeInformation<DeadLetter> DEAD_LETTER =
            new SerializerTypeInfo<>(DeadLetter.class, DeadLetterSerializer.INSTANCE);
}
