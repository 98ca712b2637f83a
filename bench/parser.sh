#!/usr/bin/env bash
# Dockerfile parser benchmarks (JMH): the first parse in a fresh JVM (target <= 100 ms) and
# throughput on a 10,000-instruction file (target >= 20 MB/s, the "bytes" rate in the output).
# Extra arguments go to JMH, e.g. `bench/parser.sh -f 3` or `bench/parser.sh firstParse`.
set -euo pipefail
cd "$(dirname "$0")/.."
module=dockerfile-grammar
mvn -B -ntp -q -o test-compile -pl "$module" -am
cpfile="$PWD/$module/target/bench-classpath.txt"
mvn -B -ntp -q -o dependency:build-classpath -pl "$module" \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile"
cp="$PWD/$module/target/test-classes:$PWD/$module/target/classes:$(cat "$cpfile")"
if [ "$#" -eq 0 ]; then
  set -- dev.jbuild.dockerfile.bench
fi
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
