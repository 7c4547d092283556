package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OrdinalBitSet against java.util.BitSet over sizes around word boundaries. */
class OrdinalBitSetTest {
    static final long SEED = 64L;

    private static OrdinalBitSet random(SplittableRandom r, int size, double density, BitSet ref) {
        OrdinalBitSet s = new OrdinalBitSet(size);
        for (int i = 0; i < size; i++) {
            if (r.nextDouble() < density) {
                s.set(i);
                ref.set(i);
            }
        }
        return s;
    }

    private static void assertSame(OrdinalBitSet s, BitSet ref, int size, String what) {
        assertThat(s.cardinality()).as("%s cardinality, size=%d seed=%d", what, size, SEED)
                .isEqualTo(ref.cardinality());
        for (int i = 0; i < size + 70; i++) {
            assertThat(s.get(i)).as("%s get(%d), size=%d seed=%d", what, i, size, SEED).isEqualTo(ref.get(i));
        }
        // nextSetBit walks exactly the members, in order.
        int o = s.nextSetBit(0);
        for (int e = ref.nextSetBit(0); e >= 0; e = ref.nextSetBit(e + 1)) {
            assertThat(o).as("%s nextSetBit, size=%d seed=%d", what, size, SEED).isEqualTo(e);
            o = s.nextSetBit(o + 1);
        }
        assertThat(o).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 7, 63, 64, 65, 127, 128, 129, 1000, 1023, 4097})
    void operationsMatchJavaUtilBitSet(int size) {
        SplittableRandom r = new SplittableRandom(SEED + size);
        for (double density : new double[] {0.0, 0.01, 0.5, 1.0}) {
            BitSet ra = new BitSet();
            BitSet rb = new BitSet();
            OrdinalBitSet a = random(r, size, density, ra);
            // b is sized differently on purpose: operations must handle unequal word counts.
            OrdinalBitSet b = random(r, size / 2 + 1, 0.3, rb);
            assertSame(a, ra, size, "a");

            OrdinalBitSet or = new OrdinalBitSet(0);
            or.copyFrom(a);
            or.or(b);
            BitSet ror = (BitSet) ra.clone();
            ror.or(rb);
            assertSame(or, ror, size, "or");

            OrdinalBitSet and = new OrdinalBitSet(size);
            and.copyFrom(a);
            and.and(b);
            BitSet rand = (BitSet) ra.clone();
            rand.and(rb);
            assertSame(and, rand, size, "and");

            OrdinalBitSet andNot = new OrdinalBitSet(size);
            andNot.copyFrom(a);
            andNot.andNot(b);
            BitSet randNot = (BitSet) ra.clone();
            randNot.andNot(rb);
            assertSame(andNot, randNot, size, "andNot");

            for (int i = 0; i < size; i += 3) {
                a.clear(i);
                ra.clear(i);
            }
            a.clear(size + 1000); // out of range: a no-op
            assertSame(a, ra, size, "clear");
            a.clear();
            assertThat(a.cardinality()).isZero();
            assertThat(a.nextSetBit(0)).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 64, 65, 200})
    void setGrowsAndEqualityIgnoresCapacity(int start) {
        OrdinalBitSet s = new OrdinalBitSet(start);
        OrdinalBitSet big = new OrdinalBitSet(10_000);
        for (int o : new int[] {0, 63, 64, 129, 5_000}) {
            s.set(o);
            big.set(o);
        }
        assertThat(s.capacity()).isGreaterThan(5_000);
        assertThat(s).isEqualTo(big).hasSameHashCodeAs(big);
        assertThat(s.get(-1)).isFalse();
        assertThat(s.get(Integer.MAX_VALUE)).isFalse();
        assertThat(s.nextSetBit(130)).isEqualTo(5_000);
        assertThat(s.nextSetBit(5_001)).isEqualTo(-1);
        assertThat(s.nextSetBit(Integer.MAX_VALUE)).isEqualTo(-1);
        assertThat(s.toString()).isEqualTo("OrdinalBitSet{0, 63, 64, 129, 5000}");
        assertThatThrownBy(() -> s.set(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ord must be >= 0; ord=-1");
        assertThatThrownBy(() -> new OrdinalBitSet(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be >= 0; capacity=-2");
        assertThat(s.ramBytesUsed()).isGreaterThanOrEqualTo(8L * ((5_000 + 64) / 64));
    }
}
