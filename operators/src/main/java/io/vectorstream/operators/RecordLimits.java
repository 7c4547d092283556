package io.vectorstream.operators;

import io.vectorstream.index.HnswConfig;

/**
 * The documented limit of every field of an event or query, in one place. A record over a limit is a dead
 * letter naming the field, the rule and the value; nothing over a limit ever reaches Flink's serializers
 * (whose strings stop at 65,535 bytes), the index, or a Kafka producer.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>field</th><th>limit</th></tr>
 *   <tr><td>vector dimension</td><td>[1, {@value #MAX_DIMENSION}]</td></tr>
 *   <tr><td>vector components</td><td>finite, |x| &lt;= {@value #MAX_COMPONENT} (distances stay finite)</td></tr>
 *   <tr><td>vector norm under cosine</td><td>[{@value #MIN_COSINE_NORM}, {@value #MAX_COSINE_NORM}]
 *       (normalising neither underflows nor overflows)</td></tr>
 *   <tr><td>partition key, query id</td><td>at most {@value #MAX_KEY_BYTES} UTF-8 bytes</td></tr>
 *   <tr><td>attributes</td><td>at most {@value #MAX_ATTRIBUTES}; names at most {@value #MAX_ATTRIBUTE_NAME_BYTES}
 *       bytes, values at most {@value #MAX_ATTRIBUTE_VALUE_BYTES} bytes</td></tr>
 *   <tr><td>filter</td><td>at most {@value #MAX_ATTRIBUTES} clauses of at most {@value #MAX_FILTER_VALUES}
 *       values each, names and values as attributes</td></tr>
 *   <tr><td>event time</td><td>[{@value #MIN_EVENT_TIME}, {@value #MAX_EVENT_TIME}] epoch ms (1970 to the end of
 *       year 9999); the job also refuses event times more than a configurable span ahead of its clock</td></tr>
 *   <tr><td>neighborsK, neighborsRadius</td><td>k in [0, 10000], radius finite (checked by
 *       {@link RecordValidator})</td></tr>
 *   <tr><td>standing query radius, expiresAt</td><td>radius finite; expiresAt after the query's event time</td></tr>
 * </table>
 * Stateless; thread-safe.
 */
public final class RecordLimits {
    private RecordLimits() {}

    public static final int MAX_DIMENSION = HnswConfig.MAX_DIMENSION;
    public static final double MAX_COMPONENT = 1e15;
    public static final double MIN_COSINE_NORM = 1e-15;
    public static final double MAX_COSINE_NORM = 1e15;
    public static final int MAX_KEY_BYTES = 1024;
    public static final int MAX_ATTRIBUTES = 64;
    public static final int MAX_ATTRIBUTE_NAME_BYTES = 256;
    public static final int MAX_ATTRIBUTE_VALUE_BYTES = 4096;
    public static final int MAX_FILTER_VALUES = 1024;
    public static final long MIN_EVENT_TIME = 0L;
    public static final long MAX_EVENT_TIME = 253_402_300_799_999L;

    /** Characters of a user's value quoted in a reason; the rest is elided with its length. */
    public static final int QUOTED_CHARS = 64;

    /** The UTF-8 length of {@code s}, without allocating. */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** {@code s} as quoted in a reason: at most {@value #QUOTED_CHARS} characters, then its full length. */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        if (s.length() <= QUOTED_CHARS) {
            return s;
        }
        return s.substring(0, QUOTED_CHARS) + "... (" + s.length() + " chars)";
    }

    /** A null reason when {@code s} is within {@code maxBytes}, else the reason. */
    static String checkBytes(String field, String s, int maxBytes) {
        if (s != null && s.length() > maxBytes / 3 && utf8Length(s) > maxBytes) {
            return field + " must be at most " + maxBytes + " UTF-8 bytes; length=" + utf8Length(s) + ", "
                    + field + "=" + quote(s);
        }
        return null;
    }
}
