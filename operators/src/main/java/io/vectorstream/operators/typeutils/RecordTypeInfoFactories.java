package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.DeadLetter;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorQuery;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * {@link TypeInfoFactory}s named by the records' {@code @TypeInfo} annotations, so Flink's type extraction
 * finds the hand-written serializers wherever a record type appears (never Kryo, never the POJO serializer).
 */
public final class RecordTypeInfoFactories {
    private RecordTypeInfoFactories() {}

    /** For {@link VectorEvent}. */
    public static final class Event extends TypeInfoFactory<VectorEvent> {
        @Override
        public TypeInformation<VectorEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(VectorEvent.class, VectorEventSerializer.INSTANCE);
        }
    }

    /** For {@link VectorQuery}. */
    public static final class Query extends TypeInfoFactory<VectorQuery> {
        @Override
        public TypeInformation<VectorQuery> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(VectorQuery.class, VectorQuerySerializer.INSTANCE);
        }
    }

    /** For {@link QueryResult}. */
    public static final class Result extends TypeInfoFactory<QueryResult> {
        @Override
        public TypeInformation<QueryResult> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(QueryResult.class, QueryResultSerializer.INSTANCE);
        }
    }

    /** For {@link DeadLetter}. */
    public static final class Dead extends TypeInfoFactory<DeadLetter> {
        @Override
        public TypeInformation<DeadLetter> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(DeadLetter.class, DeadLetterSerializer.INSTANCE);
        }
    }
}
