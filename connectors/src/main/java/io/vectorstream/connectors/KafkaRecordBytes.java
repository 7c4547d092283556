package io.vectorstream.connectors;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads Kafka records undecoded, keeping their provenance: (topic, partition, offset, timestamp, value).
 * Decoding happens afterwards in {@link DecodeFunction}, where a bad value can become a dead letter that
 * names its topic, partition and offset, instead of failing the source. Stateless.
 */
public final class KafkaRecordBytes implements KafkaRecordDeserializationSchema<Tuple5<String, Integer, Long, Long, byte[]>> {
    private static final long serialVersionUID = 1L;

    /** Flink type of the raw records: a tuple of basic types, so no Kryo. */
    public static final TypeInformation<Tuple5<String, Integer, Long, Long, byte[]>> TYPE =
            Types.TUPLE(Types.STRING, Types.INT, Types.LONG, Types.LONG, Types.PRIMITIVE_ARRAY(Types.BYTE));

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Tuple5<String, Integer, Long, Long, byte[]>> out)
            throws IOException {
        out.collect(Tuple5.of(r.topic(), r.partition(), r.offset(), r.timestamp(), r.value()));
    }

    @Override
    public TypeInformation<Tuple5<String, Integer, Long, Long, byte[]>> getProducedType() {
        return TYPE;
    }
}
