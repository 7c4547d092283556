package io.vectorstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JSON records are as strict as Avro ones: a value of the wrong JSON type or out of its Java type's range is a
 * decode error naming the field, the rule and the value, never a coercion. Records are written with ' for ".
 */
class JsonCodecsStrictTest {
    static final RecordCodec<VectorEvent> EVENTS = JsonCodecs.events();
    static final RecordCodec<VectorQuery> QUERIES = JsonCodecs.queries();
    static final String INT = "an integer in [-2^31, 2^31-1]";
    static final String LONG = "an integer in [-2^63, 2^63-1]";
    static final String TIME = "epoch milliseconds (" + LONG + ") or an ISO-8601 instant such as \"2026-11-27T10:00:00Z\"";

    static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static VectorQuery query(String fields) throws Exception {
        return QUERIES.decode(json("{'queryId':'q','vector':[1,2],'eventTime':5," + fields + "}"));
    }

    static VectorEvent event(String fields) throws Exception {
        return EVENTS.decode(json("{'op':'upsert','eventTime':5," + fields + "}"));
    }

    static void rejectsQuery(String fields, String reason) {
        assertThatThrownBy(() -> query(fields)).isInstanceOf(RecordCodec.DecodeException.class).hasMessage(reason);
    }

    static void rejectsEvent(String fields, String reason) {
        assertThatThrownBy(() -> event(fields)).isInstanceOf(RecordCodec.DecodeException.class).hasMessage(reason);
    }

    @Test
    void kMustBeAJsonIntegerThatFitsAnInt() throws Exception {
        assertThat(query("'k':2147483647").getK()).isEqualTo(Integer.MAX_VALUE);
        assertThat(query("'k':-2147483648").getK()).isEqualTo(Integer.MIN_VALUE);
        rejectsQuery("'k':1.5", "k must be " + INT + "; k=1.5");
        rejectsQuery("'k':1.0", "k must be " + INT + "; k=1.0");
        rejectsQuery("'k':1e3", "k must be " + INT + "; k=1e3");
        rejectsQuery("'k':2147483648", "k must be " + INT + "; k=2147483648");
        rejectsQuery("'k':-2147483649", "k must be " + INT + "; k=-2147483649");
        rejectsQuery("'k':'5'", "k must be " + INT + "; k=\"5\"");
        rejectsQuery("'k':true", "k must be " + INT + "; k=true");
        rejectsQuery("'k':null", "k must be " + INT + "; k=null");
        rejectsQuery("'k':[5]", "k must be " + INT + "; k=[5]");
        rejectsQuery("'efSearch':8", "k must be set; k is missing");
    }

    @Test
    void efSearchMustBeAJsonIntegerThatFitsAnIntOrNull() throws Exception {
        assertThat(query("'k':1,'efSearch':40").getEfSearch()).isEqualTo(40);
        assertThat(query("'k':1,'efSearch':null").getEfSearch()).isNull();
        assertThat(query("'k':1").getEfSearch()).isNull();
        // 4294967306 = 2^32 + 10 was read as 10.
        rejectsQuery("'k':1,'efSearch':4294967306", "efSearch must be " + INT + "; efSearch=4294967306");
        rejectsQuery("'k':1,'efSearch':64.5", "efSearch must be " + INT + "; efSearch=64.5");
    }

    @Test
    void idAndRoutingHashMustBeJsonIntegersThatFitALong() throws Exception {
        assertThat(event("'id':9223372036854775807").getId()).isEqualTo(Long.MAX_VALUE);
        assertThat(event("'id':-9223372036854775808,'routingHash':-1").getRoutingHash()).isEqualTo(-1L);
        assertThat(event("'id':1,'routingHash':null").getRoutingHash()).isNull();
        rejectsEvent("'id':1.5", "id must be " + LONG + "; id=1.5");
        rejectsEvent("'id':7.0", "id must be " + LONG + "; id=7.0");
        rejectsEvent("'id':9223372036854775808", "id must be " + LONG + "; id=9223372036854775808");
        rejectsEvent("'id':'7'", "id must be " + LONG + "; id=\"7\"");
        rejectsEvent("'id':null", "id must be " + LONG + "; id=null");
        rejectsEvent("'partitionKey':'a'", "id must be set; id is missing");
        rejectsEvent("'id':1,'routingHash':2.5", "routingHash must be " + LONG + "; routingHash=2.5");
        rejectsEvent("'id':1,'routingHash':'x'", "routingHash must be " + LONG + "; routingHash=\"x\"");
    }

    @Test
    void stringFieldsMustBeJsonStrings() throws Exception {
        assertThat(event("'id':1,'partitionKey':'shop'").getPartitionKey()).isEqualTo("shop");
        assertThat(query("'k':1,'partitionKey':null").getPartitionKey()).isNull();
        assertThat(EVENTS.decode(json("{'op':'DELETE','id':1,'eventTime':5}")).getOp()).isEqualTo(Op.DELETE);
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':1,'id':1,'eventTime':5}")))
                .hasMessage("op must be a string; op=1");
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'merge','id':1,'eventTime':5}")))
                .hasMessage("op must be one of [upsert, delete]; op=\"merge\"");
        assertThatThrownBy(() -> EVENTS.decode(json("{'id':1,'eventTime':5}"))).hasMessage("op must be set; op is missing");
        rejectsEvent("'id':1,'partitionKey':5", "partitionKey must be a string; partitionKey=5");
        // An event's partition key is an Avro string without a null branch.
        rejectsEvent("'id':1,'partitionKey':null", "partitionKey must be a string; partitionKey=null");
        rejectsQuery("'k':1,'partitionKey':{'a':1}", "partitionKey must be a string; partitionKey={\"a\":1}");
        assertThatThrownBy(() -> QUERIES.decode(json("{'queryId':5,'vector':[1],'k':1,'eventTime':5}")))
                .hasMessage("queryId must be a string; queryId=5");
        assertThatThrownBy(() -> QUERIES.decode(json("{'vector':[1],'k':1,'eventTime':5}")))
                .hasMessage("queryId must be set; queryId is missing");
    }

    @Test
    void vectorMustBeAnArrayOfNumbersEachAFiniteFloat() throws Exception {
        VectorEvent e = event("'id':1,'vector':[1,-2.5,3.4028235e38,1e-50]");
        assertThat(VectorBytes.decode(e.getVector())).containsExactly(1f, -2.5f, Float.MAX_VALUE, 0f);
        assertThat(event("'id':1").getVector().remaining()).isZero();
        rejectsEvent("'id':1,'vector':'1,2'", "vector must be an array of numbers; vector=\"1,2\"");
        rejectsEvent("'id':1,'vector':null", "vector must be an array of numbers; vector=null");
        rejectsEvent("'id':1,'vector':[1,'a']", "vector components must be numbers; vector[1]=\"a\"");
        rejectsEvent("'id':1,'vector':[[1]]", "vector components must be numbers; vector[0]=[1]");
        String range = "vector components must be finite float32 values in [-3.4028235E38, 3.4028235E38]; ";
        // Past Float.MAX_VALUE: was turned into Infinity.
        rejectsEvent("'id':1,'vector':[0,1e39]", range + "vector[1]=1e39");
        rejectsEvent("'id':1,'vector':[-3.5e38]", range + "vector[0]=-3.5e38");
        rejectsEvent("'id':1,'vector':[1e400]", range + "vector[0]=1e400");
        rejectsEvent("'id':1,'vector':[1" + "0".repeat(40) + "]", range + "vector[0]=1" + "0".repeat(40));
        assertThatThrownBy(() -> QUERIES.decode(json("{'queryId':'q','k':1,'eventTime':5}")))
                .hasMessage("vector must be set; vector is missing");
    }

    @Test
    void attributesMustBeAnObjectOfStringValues() throws Exception {
        assertThat(event("'id':1,'attributes':{'color':'red','size':'m'}").getAttributes())
                .containsExactly(Map.entry("color", "red"), Map.entry("size", "m"));
        rejectsEvent("'id':1,'attributes':['red']", "attributes must be an object of string values; attributes=[\"red\"]");
        rejectsEvent("'id':1,'attributes':null", "attributes must be an object of string values; attributes=null");
        rejectsEvent("'id':1,'attributes':{'size':1}", "attributes values must be strings; attributes.size=1");
        rejectsEvent("'id':1,'attributes':{'size':['m']}", "attributes values must be strings; attributes.size=[\"m\"]");
        rejectsEvent("'id':1,'attributes':{'color':'red','color':'blue'}",
                "attributes keys must be unique; attributes.color repeated");
    }

    @Test
    void filterMustBeAnObjectOfStringArrays() throws Exception {
        assertThat(query("'k':1,'filter':{'color':['red','blue'],'size':[]}").getFilter())
                .containsExactly(Map.entry("color", List.of("red", "blue")), Map.entry("size", List.of()));
        assertThat(query("'k':1,'filter':null").getFilter()).isNull();
        // An array instead of an object was ignored: an unfiltered answer.
        rejectsQuery("'k':1,'filter':['red']", "filter must be an object of string arrays; filter=[\"red\"]");
        rejectsQuery("'k':1,'filter':{'color':'red'}", "filter values must be arrays of strings; filter.color=\"red\"");
        rejectsQuery("'k':1,'filter':{'color':['red',1]}", "filter values must be arrays of strings; filter.color[1]=1");
        rejectsQuery("'k':1,'filter':{'color':['red'],'color':['blue']}", "filter keys must be unique; filter.color repeated");
    }

    @Test
    void eventTimeIsRequiredAndIsEpochMillisOrAnIsoInstant() throws Exception {
        assertThat(query("'k':1").getEventTime()).isEqualTo(Instant.ofEpochMilli(5));
        assertThat(EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':'2026-11-27T10:00:00Z'}")).getEventTime())
                .isEqualTo(Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':'2026-11-27T10:00:00.123+01:00'}"))
                .getEventTime()).isEqualTo(Instant.parse("2026-11-27T09:00:00.123Z"));
        assertThat(EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':-1}")).getEventTime())
                .isEqualTo(Instant.ofEpochMilli(-1));
        // A JSON record without eventTime was stamped 0 (1970), and its answer deleted by retention.
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1}")))
                .hasMessage("eventTime must be set; eventTime is missing");
        assertThatThrownBy(() -> QUERIES.decode(json("{'queryId':'q','vector':[1],'k':1}")))
                .hasMessage("eventTime must be set; eventTime is missing");
        String event = "{'op':'upsert','id':1,'eventTime':%s}";
        for (String bad : List.of("'yesterday'", "1.7e12", "1700000000000.5", "null", "9223372036854775808", "[1]",
                "'2026-11-27'", "'+300000000-01-01T00:00:00Z'")) {
            assertThatThrownBy(() -> EVENTS.decode(json(String.format(event, bad))))
                    .hasMessage("eventTime must be " + TIME + "; eventTime=" + bad.replace('\'', '"'));
        }
        assertThatThrownBy(() -> EVENTS.decode(json(String.format(event, "'2026-11-27T10:00:00.0001Z'"))))
                .hasMessage("eventTime must have at most millisecond precision; eventTime=\"2026-11-27T10:00:00.0001Z\"");
    }

    @Test
    void unknownFieldsAreRejectedByName() {
        // A typo dropped the vector: the upsert stored an empty one.
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'vectr':[1,2],'eventTime':5}")))
                .hasMessage("fields must be one of [op, id, partitionKey, vector, attributes, eventTime, routingHash, "
                        + "neighborsK, neighborsRadius]; field=\"vectr\"");
        rejectsQuery("'k':1,'topK':5",
                "fields must be one of [queryId, partitionKey, vector, k, efSearch, filter, eventTime, standing, radius, "
                        + "expiresAt]; field=\"topK\"");
    }

    @Test
    void repeatedFieldsAreRejected() {
        rejectsQuery("'k':1,'k':2", "k must appear once; k repeated");
        rejectsEvent("'id':1,'id':2", "id must appear once; id repeated");
    }

    @Test
    void nothingMayFollowTheObject() throws Exception {
        assertThat(EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5}  \r\n\t")).getId()).isEqualTo(1L);
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5} garbage")))
                .hasMessage("value must be one JSON object with nothing after it; after=garbage");
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5}{'op':'delete'}")))
                .hasMessage("value must be one JSON object with nothing after it; after={\"op\":\"delete\"}");
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5}]")))
                .hasMessage("value must be one JSON object with nothing after it; after=]");
    }

    @Test
    void reasonsQuoteAtMost64CharactersOfAValue() {
        String longOp = "a".repeat(600_000);
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'" + longOp + "','id':1,'eventTime':5}")))
                .hasMessage("op must be one of [upsert, delete]; op=\"" + "a".repeat(64) + "...\" (600000 chars)");
        String longKey = "k".repeat(1000);
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5,'" + longKey + "':1}")))
                .hasMessageEndingWith("; field=\"" + "k".repeat(64) + "...\" (1000 chars)");
        String digits = "9".repeat(900);
        rejectsQuery("'k':" + digits, "k must be " + INT + "; k=" + "9".repeat(64) + "... (900 chars)");
        rejectsEvent("'id':1,'vector':[" + "1,".repeat(10_000) + "'x']",
                "vector components must be numbers; vector[10000]=\"x\"");
        rejectsEvent("'id':[" + "1,".repeat(10_000) + "1]", "id must be " + LONG + "; id=[" + "1,".repeat(31) + "1... (20003 chars)");
        rejectsEvent("'id':1,'attributes':{'" + longKey + "':1}",
                "attributes values must be strings; attributes." + "k".repeat(64) + "... (1000 chars)=1");
        // The raw-bytes preview of undecodable values, and Jackson's own messages, are bounded too.
        String notJson = "x".repeat(600_000);
        assertThatThrownBy(() -> EVENTS.decode(notJson.getBytes(StandardCharsets.UTF_8)))
                .message().startsWith("value must be valid JSON; error=")
                .endsWith("; value=" + "x".repeat(64) + "... (600000 bytes)").hasSizeLessThan(300);
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5} " + notJson)))
                .hasMessage("value must be one JSON object with nothing after it; after=" + "x".repeat(64)
                        + "... (600000 bytes)");
        assertThatThrownBy(() -> EVENTS.decode(json("[" + "1,".repeat(1000) + "1]")))
                .hasMessage("value must be a JSON object; value=[" + "1,".repeat(31) + "1... (2003 bytes)");
        String emoji = "\uD83D\uDE00".repeat(100); // 200 chars, no pair cut in half
        assertThat(StrictJsonReader.bounded(" " + emoji)).isEqualTo(" " + "\uD83D\uDE00".repeat(31) + "... (201 chars)");
    }

    @Test
    void standingQueriesAndNeighbourRequestsReadAndWrite() throws Exception {
        VectorEvent e = EVENTS.decode(json("{'op':'upsert','id':1,'vector':[1,2],'eventTime':5,'neighborsK':3,"
                + "'neighborsRadius':0.5}"));
        assertThat(e.getNeighborsK()).isEqualTo(3);
        assertThat(e.getNeighborsRadius()).isEqualTo(0.5f);
        assertThat(EVENTS.decode(EVENTS.encode(e))).isEqualTo(e);

        VectorQuery q = query("'k':2,'partitionKey':'p','standing':'Register','radius':1.25,"
                + "'expiresAt':'2026-11-27T10:00:00Z'");
        assertThat(q.getStanding()).isEqualTo(io.vectorstream.schemas.Standing.REGISTER);
        assertThat(q.getRadius()).isEqualTo(1.25f);
        assertThat(q.getExpiresAt()).isEqualTo(java.time.Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(QUERIES.decode(QUERIES.encode(q))).isEqualTo(q);

        // An unregistration names the query and its key only.
        VectorQuery u = QUERIES.decode(json("{'queryId':'q','partitionKey':'p','standing':'unregister','eventTime':6}"));
        assertThat(u.getStanding()).isEqualTo(io.vectorstream.schemas.Standing.UNREGISTER);
        assertThat(QUERIES.decode(QUERIES.encode(u))).isEqualTo(u);

        rejectsQuery("'k':1,'standing':'forever'",
                "standing must be one of [once, register, unregister]; standing=\"forever\"");
        rejectsQuery("'k':1,'radius':'near'", "radius must be a number; radius=\"near\"");
        assertThatThrownBy(() -> EVENTS.decode(json("{'op':'upsert','id':1,'eventTime':5,'neighborsRadius':1e39}")))
                .hasMessage("neighborsRadius must be a finite float32 value in [-3.4028235E38, 3.4028235E38]; "
                        + "neighborsRadius=1e39");
    }
}
