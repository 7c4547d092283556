package io.vectorstream.bench.ann;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class WorkerProtocolTest {
    private static WorkerProtocol over(String input) {
        return WorkerProtocol.over(new BufferedReader(new StringReader(input)), "lib-a");
    }

    @Test
    void afterTheSweepReadsAgainLinesThenTheReport() {
        WorkerProtocol p = over("NEXT\nNEXT\nAGAIN 32\nAGAIN 1954\nREPORT\n");
        p.awaitNext();
        p.sweepOver();
        assertThat(p.awaitAgainOrReport()).isEqualTo(32);
        assertThat(p.awaitAgainOrReport()).isEqualTo(1954);
        assertThat(p.awaitAgainOrReport()).isEqualTo(-1);
    }

    @Test
    void atTheEndOfInputTheSweepRunsOnAndTheReportFollows() {
        WorkerProtocol p = over("NEXT\n");
        p.awaitNext();
        p.awaitNext(); // input ended: returns at once
        p.awaitNext();
        p.sweepOver();
        assertThat(p.awaitAgainOrReport()).isEqualTo(-1);
    }

    @Test
    void rejectsAnythingElseNamingTheWorkerAndTheLine() {
        assertThatThrownBy(() -> over("AGAIN 12\n").awaitNext())
                .hasMessage("worker for lib-a: input must be NEXT during the sweep; line=AGAIN 12");
        for (String bad : new String[] {"AGAIN 0", "AGAIN -3", "AGAIN  12", "AGAIN +12", "AGAIN x", "NEXT"}) {
            WorkerProtocol p = over(bad + "\n");
            assertThatThrownBy(p::awaitAgainOrReport)
                    .hasMessage("worker for lib-a: input after the sweep must be AGAIN <ef in [1, 999999999]> or "
                            + "REPORT; line=" + bad);
        }
    }
}
