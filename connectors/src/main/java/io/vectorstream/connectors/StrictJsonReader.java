package io.vectorstream.connectors;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one flat JSON object field by field with the types of the Avro schema, for {@link JsonCodecs}: every
 * value must already have its field's type and fit its Java type. Nothing is coerced: {@code 1.5} is not an
 * {@code int}, {@code "7"} is not a {@code long}, an array is not an object. Unknown and repeated fields, and
 * anything after the object, are errors. Every error is a {@link RecordCodec.DecodeException} naming the field,
 * the rule and the value, with at most {@value #MAX_QUOTED_CHARS} characters of any user value quoted, so a dead
 * letter stays small whatever the record holds.
 *
 * <p>Threading: one reader per decode, on the caller's thread.
 */
final class StrictJsonReader implements AutoCloseable {
    /** The most characters of one user value a reason quotes; longer ones are cut and their length appended. */
    static final int MAX_QUOTED_CHARS = 64;

    static final String INT_RULE = "an integer in [-2^31, 2^31-1]";
    static final String LONG_RULE = "an integer in [-2^63, 2^63-1]";

    /** Jackson quotes offending tokens in its own messages: keep those as short as ours. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .errorReportConfiguration(ErrorReportConfiguration.builder().maxErrorTokenLength(MAX_QUOTED_CHARS)
                    .maxRawContentLength(MAX_QUOTED_CHARS).build())
            .build());

    private final byte[] bytes;
    private final JsonParser parser;
    private final List<String> fields;
    private long seen;

    private StrictJsonReader(byte[] bytes, JsonParser parser, List<String> fields) {
        this.bytes = bytes;
        this.parser = parser;
        this.fields = fields;
    }

    /**
     * Opens {@code bytes}, which must be one JSON object whose field names are among {@code fields} (at most 64).
     */
    static StrictJsonReader open(byte[] bytes, List<String> fields) throws RecordCodec.DecodeException {
        assert fields.size() <= Long.SIZE;
        if (bytes == null) {
            throw new RecordCodec.DecodeException("value must not be null (tombstone); value=null");
        }
        JsonParser parser;
        try {
            parser = JSON.createParser(bytes);
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
        StrictJsonReader r = new StrictJsonReader(bytes, parser, fields);
        try {
            if (r.next() != JsonToken.START_OBJECT) {
                throw new RecordCodec.DecodeException("value must be a JSON object; value=" + preview(bytes));
            }
            return r;
        } catch (RecordCodec.DecodeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Moves to the next field and returns its name, or null after the object's end once nothing but whitespace
     * follows it. The caller reads the field's value with one of the value methods before calling this again.
     */
    String nextField() throws RecordCodec.DecodeException {
        JsonToken t = next();
        if (t == JsonToken.END_OBJECT) {
            checkNothingFollows();
            return null;
        }
        assert t == JsonToken.FIELD_NAME : t;
        String name = name();
        int i = fields.indexOf(name);
        if (i < 0) {
            throw new RecordCodec.DecodeException("fields must be one of " + fields + "; field=" + quoted(name));
        }
        if ((seen & (1L << i)) != 0) {
            throw new RecordCodec.DecodeException(name + " must appear once; " + name + " repeated");
        }
        seen |= 1L << i;
        next();
        return name;
    }

    /** The current value as a JSON string. */
    String string(String field) throws RecordCodec.DecodeException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw wrong(field, "a string", field);
        }
        return text();
    }

    /** The current value as a JSON string, or null for JSON null. */
    String nullableString(String field) throws RecordCodec.DecodeException {
        return parser.currentToken() == JsonToken.VALUE_NULL ? null : string(field);
    }

    /** The current value as an integral number that fits an {@code int}. */
    int int32(String field) throws RecordCodec.DecodeException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || numberType() != JsonParser.NumberType.INT) {
            throw wrong(field, INT_RULE, field);
        }
        try {
            return parser.getIntValue();
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    /** As {@link #int32(String)}, or null for JSON null. */
    Integer nullableInt32(String field) throws RecordCodec.DecodeException {
        return parser.currentToken() == JsonToken.VALUE_NULL ? null : int32(field);
    }

    /** The current value as an integral number that fits a {@code long}. */
    long int64(String field) throws RecordCodec.DecodeException {
        if (!isInt64()) {
            throw wrong(field, LONG_RULE, field);
        }
        return longValue();
    }

    /** As {@link #int64(String)}, or null for JSON null. */
    Long nullableInt64(String field) throws RecordCodec.DecodeException {
        return parser.currentToken() == JsonToken.VALUE_NULL ? null : int64(field);
    }

    /** As {@link #instant(String)}, or null for JSON null. */
    Instant nullableInstant(String field) throws RecordCodec.DecodeException {
        return parser.currentToken() == JsonToken.VALUE_NULL ? null : instant(field);
    }

    /**
     * The current value as one number, a finite {@code float} once rounded, or null for JSON null (a number past
     * {@link Float#MAX_VALUE} is an error, not infinity).
     */
    Float nullableFloat32(String field) throws RecordCodec.DecodeException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrong(field, "a number", field);
        }
        return finiteFloat(field, "a finite float32 value", field);
    }

    /** The current number as a float; past {@link Float#MAX_VALUE} is an error naming {@code where}. */
    private float finiteFloat(String field, String rule, String where) throws RecordCodec.DecodeException {
        float f;
        try {
            f = parser.getFloatValue();
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
        if (!Float.isFinite(f)) {
            throw wrong(field, rule + " in [-3.4028235E38, 3.4028235E38]", where);
        }
        return f;
    }

    /**
     * The current value as an instant: epoch milliseconds (an integral number that fits a {@code long}), or an
     * ISO-8601 instant string such as {@code "2026-11-27T10:00:00Z"} with at most millisecond precision.
     */
    Instant instant(String field) throws RecordCodec.DecodeException {
        String rule = "epoch milliseconds (" + LONG_RULE + ") or an ISO-8601 instant such as \"2026-11-27T10:00:00Z\"";
        if (isInt64()) {
            return Instant.ofEpochMilli(longValue());
        }
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw wrong(field, rule, field);
        }
        String s = text();
        Instant t;
        try {
            t = Instant.parse(s);
            t.toEpochMilli(); // throws past the epoch-millisecond range
        } catch (DateTimeException | ArithmeticException e) {
            throw new RecordCodec.DecodeException(field + " must be " + rule + "; " + field + "=" + quoted(s));
        }
        if (t.getNano() % 1_000_000 != 0) {
            throw new RecordCodec.DecodeException(field + " must have at most millisecond precision; " + field + "="
                    + quoted(s));
        }
        return t;
    }

    /**
     * The current value as an array of numbers, each a finite {@code float} once rounded (a number past
     * {@link Float#MAX_VALUE} is an error, not infinity).
     */
    float[] floats(String field) throws RecordCodec.DecodeException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw wrong(field, "an array of numbers", field);
        }
        float[] out = new float[16];
        int n = 0;
        for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw wrong(field + " components", "numbers", field + "[" + n + "]");
            }
            float f = finiteFloat(field + " components", "finite float32 values", field + "[" + n + "]");
            if (n == out.length) {
                out = Arrays.copyOf(out, 2 * n);
            }
            out[n++] = f;
        }
        return Arrays.copyOf(out, n);
    }

    /** The current value as an object whose values are strings. */
    Map<String, String> stringMap(String field) throws RecordCodec.DecodeException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw wrong(field, "an object of string values", field);
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (next() == JsonToken.FIELD_NAME) {
            String key = name();
            if (next() != JsonToken.VALUE_STRING) {
                throw wrong(field + " values", "strings", field + "." + bounded(key));
            }
            if (out.put(key, text()) != null) {
                throw repeated(field, key);
            }
        }
        return out;
    }

    /** The current value as an object whose values are arrays of strings, or null for JSON null. */
    Map<String, List<String>> nullableStringListMap(String field) throws RecordCodec.DecodeException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw wrong(field, "an object of string arrays", field);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        while (next() == JsonToken.FIELD_NAME) {
            String key = name();
            String where = field + "." + bounded(key);
            if (next() != JsonToken.START_ARRAY) {
                throw wrong(field + " values", "arrays of strings", where);
            }
            List<String> values = new ArrayList<>();
            for (JsonToken v = next(); v != JsonToken.END_ARRAY; v = next()) {
                if (v != JsonToken.VALUE_STRING) {
                    throw wrong(field + " values", "arrays of strings", where + "[" + values.size() + "]");
                }
                values.add(text());
            }
            if (out.put(key, values) != null) {
                throw repeated(field, key);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // A parser over a byte array holds no resource that can fail to close.
            throw new IllegalStateException("closing a JSON parser over bytes failed", e);
        }
    }

    /** {@code s} whole when short, else its first {@value #MAX_QUOTED_CHARS} characters and its length. */
    static String bounded(String s) {
        if (s.length() <= MAX_QUOTED_CHARS) {
            return s;
        }
        return s.substring(0, cut(s)) + "... (" + s.length() + " chars)";
    }

    /** {@code s} as a JSON string literal, cut as {@link #bounded(String)} cuts (the length after the quote). */
    static String quoted(String s) {
        if (s.length() <= MAX_QUOTED_CHARS) {
            return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
        }
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s.substring(0, cut(s)))) + "...\" ("
                + s.length() + " chars)";
    }

    /** The start of raw bytes as UTF-8 text, cut as {@link #bounded(String)} cuts, with the byte count when cut. */
    static String preview(byte[] bytes) {
        int max = MAX_QUOTED_CHARS * 4; // UTF-8 takes at most 4 bytes a character
        String s = new String(bytes, 0, Math.min(bytes.length, max), StandardCharsets.UTF_8);
        boolean whole = bytes.length <= max && s.length() <= MAX_QUOTED_CHARS;
        return whole ? s : s.substring(0, cut(s)) + "... (" + bytes.length + " bytes)";
    }

    /** Where to cut a long string: not between the two halves of a surrogate pair. */
    private static int cut(String s) {
        int end = Math.min(s.length(), MAX_QUOTED_CHARS);
        return end > 0 && Character.isHighSurrogate(s.charAt(end - 1)) ? end - 1 : end;
    }

    private void checkNothingFollows() throws RecordCodec.DecodeException {
        // Read the rest as bytes rather than as tokens: trailing garbage is this error, not a parse error.
        int end = (int) parser.currentLocation().getByteOffset();
        for (int i = end; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                throw new RecordCodec.DecodeException("value must be one JSON object with nothing after it; after="
                        + preview(Arrays.copyOfRange(bytes, i, bytes.length)));
            }
        }
    }

    private JsonToken next() throws RecordCodec.DecodeException {
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw new RecordCodec.DecodeException("value must be valid JSON; error=unexpected end of input; value="
                        + preview(bytes));
            }
            return t;
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    private String name() throws RecordCodec.DecodeException {
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    private String text() throws RecordCodec.DecodeException {
        try {
            return parser.getText();
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    private JsonParser.NumberType numberType() throws RecordCodec.DecodeException {
        try {
            return parser.getNumberType();
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    private boolean isInt64() throws RecordCodec.DecodeException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            return false;
        }
        JsonParser.NumberType type = numberType();
        return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
    }

    private long longValue() throws RecordCodec.DecodeException {
        try {
            return parser.getLongValue();
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    /** "{@code what} must be {@code rule}; {@code where}=value", the value as it was written, bounded. */
    private RecordCodec.DecodeException wrong(String what, String rule, String where) throws RecordCodec.DecodeException {
        return new RecordCodec.DecodeException(what + " must be " + rule + "; " + where + "=" + currentValue());
    }

    private static RecordCodec.DecodeException repeated(String field, String key) {
        return new RecordCodec.DecodeException(field + " keys must be unique; " + field + "." + bounded(key)
                + " repeated");
    }

    /** The current value as JSON text, bounded; reads past it when it is an array or an object. */
    private String currentValue() throws RecordCodec.DecodeException {
        try {
            JsonToken t = parser.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                return quoted(parser.getText());
            }
            if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                return bounded(JSON.writeValueAsString(parser.readValueAsTree()));
            }
            return bounded(parser.getText());
        } catch (IOException e) {
            throw invalid(bytes, e);
        }
    }

    private static RecordCodec.DecodeException invalid(byte[] bytes, IOException e) {
        String error = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
                : e.toString();
        // Jackson's messages quote at most MAX_QUOTED_CHARS of a token; the cut is a second fence, not the first.
        if (error != null && error.length() > 4 * MAX_QUOTED_CHARS) {
            error = error.substring(0, 4 * MAX_QUOTED_CHARS) + "... (" + error.length() + " chars)";
        }
        return new RecordCodec.DecodeException("value must be valid JSON; error=" + error + "; value=" + preview(bytes), e);
    }
}
