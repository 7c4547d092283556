package io.vectorstream.cluster;

import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.connectors.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything committed to one topic of Avro single-object records, read from the beginning with
 * {@code isolation.level=read_committed} (what a consumer of the job's exactly-once output must use), without a
 * consumer group. Accumulates every record it has read, duplicates included. Not thread-safe.
 */
final class CommittedTopic<T extends SpecificRecord> implements AutoCloseable {
    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordCodec<T> codec;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final List<T> records = new ArrayList<>();

    CommittedTopic(String bootstrap, String topic, Class<T> type) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p);
        consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.codec = AvroSingleObjectCodec.of(type);
    }

    /** Polls once (up to 200 ms) and decodes what arrived. */
    void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            try {
                records.add(codec.decode(r.value()));
            } catch (RecordCodec.DecodeException e) {
                throw new AssertionError("undecodable record at " + r.topic() + "/" + r.partition() + "@" + r.offset()
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads every committed record once the topic has no open transaction left: waits until each partition's last
     * stable offset (the read_committed end) equals its high watermark (commit markers are written after the commit
     * returns, so right after a commit the stable offset may still lag), then reads up to it.
     */
    void readToEnd(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> end = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Poll.until("no open transaction on " + partitions + " (last stable offset = high watermark)", timeout, () -> {
                var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                var high = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
                for (TopicPartition tp : partitions) {
                    if (stable.get(tp).offset() != high.get(tp).offset()) {
                        return false;
                    }
                    end.put(tp, stable.get(tp).offset());
                }
                return true;
            });
        }
        Poll.until("read_committed reaches the end offsets " + end, timeout, () -> {
            poll();
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) < end.get(tp)) {
                    return false;
                }
            }
            return true;
        });
    }

    List<T> records() {
        return records;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
