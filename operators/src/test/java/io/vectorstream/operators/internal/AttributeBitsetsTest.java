package io.vectorstream.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.OrdinalBitSet;
import io.vectorstream.operators.AttributeFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * AttributeBitsets against a per-ordinal map model under random churn: sets that replace an ordinal's attributes,
 * clears, a growing ordinal bound, values from always-dense to unique, and filters with unknown names or values.
 */
class AttributeBitsetsTest {
    static final long SEED = 1_111L;

    /** color: 3 values (dense); shop: 40; user: nearly unique (lists); rare: on 2 % of nodes. */
    private static Map<String, String> randomAttributes(SplittableRandom r) {
        Map<String, String> a = new HashMap<>();
        if (r.nextInt(10) != 0) {
            a.put("color", List.of("red", "green", "blue").get(r.nextInt(3)));
        }
        if (r.nextBoolean()) {
            a.put("shop", "s" + r.nextInt(40));
        }
        a.put("user", "u" + r.nextInt(100_000));
        if (r.nextInt(50) == 0) {
            a.put("rare", "yes");
        }
        return a;
    }

    private static AttributeFilter randomFilter(SplittableRandom r) {
        Map<String, List<String>> clauses = new LinkedHashMap<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(5)) {
                case 0: clauses.put("color", List.of("red", "blue", "purple").subList(0, 1 + r.nextInt(3))); break;
                case 1: clauses.put("shop", List.of("s" + r.nextInt(40), "s" + r.nextInt(40))); break;
                case 2: clauses.put("rare", List.of("yes")); break;
                case 3: clauses.put("user", List.of("u" + r.nextInt(100_000))); break;
                default: clauses.put("missing", List.of("x")); break;
            }
        }
        return AttributeFilter.of(clauses);
    }

    private static void assertMatchesModel(AttributeBitsets bits, List<Map<String, String>> model, int bound,
                                           SplittableRandom r, int step) {
        for (int f = 0; f < 20; f++) {
            AttributeFilter filter = randomFilter(r);
            OrdinalBitSet got = bits.matching(filter, bound);
            OrdinalBitSet want = new OrdinalBitSet(bound);
            for (int ord = 0; ord < bound; ord++) {
                if (model.get(ord) != null && filter.matches(model.get(ord))) {
                    want.set(ord);
                }
            }
            assertThat(got).as("%s at step %d, seed=%d", filter, step, SEED).isEqualTo(want);
        }
        for (int ord = 0; ord < bound; ord++) {
            Map<String, String> m = model.get(ord);
            assertThat(bits.attributes(ord)).as("ord %d at step %d, seed=%d", ord, step, SEED)
                    .isEqualTo(m == null ? Map.of() : m);
        }
    }

    @Test
    void filtersMatchAPerOrdinalModelUnderChurn() {
        SplittableRandom r = new SplittableRandom(SEED);
        AttributeBitsets bits = new AttributeBitsets();
        List<Map<String, String>> model = new ArrayList<>();
        int bound = 0;
        boolean sawDenseAndList = false;
        for (int step = 0; step < 6_000; step++) {
            int op = r.nextInt(10);
            if (op < 5 || bound == 0) {
                // A new ordinal: the index grew.
                Map<String, String> a = randomAttributes(r);
                model.add(a);
                bound++;
                bits.set(bound - 1, a, bound);
            } else if (op < 8) {
                // An upsert that lands on an existing ordinal with other attributes (reused slot).
                int ord = r.nextInt(bound);
                Map<String, String> a = r.nextInt(8) == 0 ? Map.of() : randomAttributes(r);
                model.set(ord, a.isEmpty() ? null : a);
                if (a.isEmpty()) {
                    bits.clear(ord, bound);
                } else {
                    bits.set(ord, a, bound);
                }
            } else {
                // A delete or TTL expiry.
                int ord = r.nextInt(bound);
                model.set(ord, null);
                bits.clear(ord, bound);
            }
            if (step % 500 == 499) {
                assertMatchesModel(bits, model, bound, r, step);
                int dense = bits.denseValueCount();
                sawDenseAndList |= dense > 0 && dense < bits.valueCount();
            }
        }
        assertThat(sawDenseAndList).as("both representations were exercised").isTrue();
        for (int ord = 0; ord < bound; ord++) {
            bits.clear(ord, bound);
        }
        assertThat(bits.valueCount()).as("no value outlives its last holder").isZero();
        assertThat(bits.memberBytes()).as("every byte counted in is counted out").isZero();
    }

    @Test
    void clausesAreAndedAndValuesWithinAClauseOred() {
        AttributeBitsets bits = new AttributeBitsets();
        int bound = 6;
        bits.set(0, Map.of("color", "red", "size", "s"), bound);
        bits.set(1, Map.of("color", "blue", "size", "s"), bound);
        bits.set(2, Map.of("color", "red", "size", "l"), bound);
        bits.set(3, Map.of("size", "s"), bound);
        bits.set(4, Map.of("color", "green"), bound);
        assertThat(bits.matching(null, bound)).isNull();
        assertThat(bits.matching(AttributeFilter.of(Map.of()), bound)).as("no clause: no filter").isNull();
        assertThat(members(bits.matching(AttributeFilter.eq("color", "red"), bound))).containsExactly(0, 2);
        assertThat(members(bits.matching(AttributeFilter.in("color", Set.of("red", "blue")).and("size", Set.of("s")),
                bound))).containsExactly(0, 1);
        assertThat(members(bits.matching(AttributeFilter.in("size", Set.of("s")).and("color", Set.of("green")), bound)))
                .as("a node without the attribute fails the clause").isEmpty();
        assertThat(members(bits.matching(AttributeFilter.eq("color", "purple"), bound))).isEmpty();
        assertThat(members(bits.matching(AttributeFilter.eq("weight", "1"), bound))).isEmpty();
        // An upsert that changes attributes moves the ordinal between values.
        bits.set(0, Map.of("color", "blue"), bound);
        assertThat(members(bits.matching(AttributeFilter.eq("color", "red"), bound))).containsExactly(2);
        assertThat(members(bits.matching(AttributeFilter.eq("size", "s"), bound))).containsExactly(1, 3);
        assertThat(bits.attributes(0)).isEqualTo(Map.of("color", "blue"));
    }

    private static List<Integer> members(OrdinalBitSet s) {
        List<Integer> out = new ArrayList<>();
        for (int o = s.nextSetBit(0); o >= 0; o = s.nextSetBit(o + 1)) {
            out.add(o);
        }
        return out;
    }
}
