package io.vectorstream.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.HnswIndex;
import org.junit.jupiter.api.Test;

/** The first reload of an evicted key is logged once, with the key and its sizes; other loads are not. */
class FirstReloadLogTest {
    private static KeyIndex index(int vectors) {
        HnswIndex index = new HnswIndex(HnswConfig.builder(2).build());
        for (int i = 0; i < vectors; i++) {
            index.add(i, new float[] {i, 1});
        }
        return new KeyIndex(index, 2);
    }

    @Test
    void onlyTheFirstReloadOfAnEvictedKeyIsLogged() {
        FirstReloadLog log = new FirstReloadLog();
        IndexCache cache = new IndexCache(1_000_000);
        KeyIndex a = index(3);
        cache.put("a", a);

        assertThat(log.reloaded("a", a, cache, 1_000_000)).as("a first load is no reload").isNull();
        log.evicted("b", 4_321);
        assertThat(log.reloaded("a", a, cache, 1_000_000)).as("a was never evicted").isNull();

        log.evicted("a", 1_234);
        String line = log.reloaded("a", a, cache, 1_000_000);
        assertThat(line).contains("key a ", "3 vectors", a.ramBytesUsed() + " bytes", "1234 bytes when evicted",
                "holds " + cache.bytes() + " bytes in 1 keys", "cacheMaxBytes=1000000");

        assertThat(log.reloaded("b", index(1), cache, 1_000_000)).as("logged once per subtask").isNull();
        log.evicted("a", 1_234);
        assertThat(log.reloaded("a", a, cache, 1_000_000)).isNull();
    }

    @Test
    void itRemembersABoundedNumberOfEvictedKeys() {
        FirstReloadLog log = new FirstReloadLog();
        IndexCache cache = new IndexCache(1_000_000);
        for (int i = 0; i <= FirstReloadLog.MAX_REMEMBERED; i++) {
            log.evicted("k" + i, 10);
        }
        assertThat(log.reloaded("k" + FirstReloadLog.MAX_REMEMBERED, index(1), cache, 1)).isNull();
        assertThat(log.reloaded("k0", index(1), cache, 1)).contains("key k0 ");
    }
}
