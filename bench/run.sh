#!/usr/bin/env bash
# The ANN benchmark in one command:
#   bench/run.sh [--dataset fashion-mnist | --base B.fvecs --query Q.fvecs] [--metric l2|ip|cosine] [--quick] [--rounds N]
#                [--libraries a,b,..] [--efs 10,12,..] [--m 16] [--ef-construction 100] [--reach 0.995] [--max-ef 4000]
#                [--tag name] [--sequential] [--remeasure 1]
# --efs: the efSearch grid, rising; beyond it each library is measured at 1.25x steps while its recall is below
# --reach, up to --max-ef. --m / --ef-construction: the graph every library builds (2M on the base layer).
# Picks the newest JDK installed (Lucene 10 needs 21+), installs Fashion-MNIST from Debian when needed and the
# native peers from npm, builds the bench module, runs every library in a fresh process (JVM, or Node for the
# native peers), interleaved over --rounds (default 3): in each round the libraries build one at a time, then
# measure their sweeps in lockstep, one point each in turn, every worker of the round alive (about 1.5 GB each at
# 1M x 128; --sequential: each sweep right after its build, one worker at a time); then the points each library's
# figures at recall 0.95 and 0.99 are read from are measured again (--remeasure times, 0 for none), every library's
# point of the same role in the same step, and each point keeps its better measurement;
# updates docs/benchmarks.md.
# The last line printed is: RATIO qps@0.95=<ours/best peer> qps@0.99=<...> build=<best peer build/ours>
set -euo pipefail
cd "$(dirname "$0")/.."

newest=""
for j in /usr/lib/jvm/*/; do
  [ -x "$j/bin/java" ] || continue
  v=$("$j/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
  if [ -z "$newest" ] || [ "${v%%.*}" -gt "${newest_v%%.*}" ]; then newest="$j"; newest_v="$v"; fi
done
[ -n "$newest" ] || { echo "no JDK found under /usr/lib/jvm" >&2; exit 1; }
if [ "${newest_v%%.*}" -lt 21 ]; then echo "bench needs JDK 21+ (Lucene 10); newest found: $newest_v" >&2; exit 1; fi
export JAVA_HOME="${newest%/}"
echo "using JDK $newest_v at $JAVA_HOME" >&2

if [[ " $* " != *" --base "* ]] && [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "installing dataset-fashion-mnist (Debian)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q dataset-fashion-mnist
  else sudo apt-get update -q && sudo apt-get install -y -q dataset-fashion-mnist; fi
fi

# The native peers (usearch, C++ hnswlib) run in Node on the same data: install them once. usearch ships prebuilt
# binaries; hnswlib-node compiles hnswlib here, for this CPU (its own build flags are -O3 without -march).
if [[ " $* " != *" --libraries "* ]] || [[ "$*" == *usearch* ]] || [[ "$*" == *hnswlib-native* ]]; then
  command -v node >/dev/null || { echo "the native peers need Node.js 20+ (node); or pass --libraries without usearch and hnswlib-native" >&2; exit 1; }
  if [ ! -f bench/peers/node_modules/hnswlib-node/build/Release/addon.node ]; then
    echo "installing the native peers (bench/peers: npm ci, hnswlib-node compiled with -march=native)" >&2
    (cd bench/peers && npm ci --ignore-scripts --no-audit --no-fund >&2 \
      && CXXFLAGS="-O3 -march=native" npm rebuild hnswlib-node --foreground-scripts >&2)
  fi
fi

export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
mvn -B -q -pl bench -am install -DskipTests >&2
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
exec "$JAVA_HOME/bin/java" -Xmx4g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -Dvectorstream.root="$PWD" -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.vectorstream.schemas \
  -cp "$CP" io.vectorstream.bench.ann.AnnBenchmark "$@"
