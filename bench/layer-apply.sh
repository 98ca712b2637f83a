#!/bin/sh
# Layer apply speed (LayerApplier) on generated tars; see LayerApplyBench for the modes.
#   bench/layer-apply.sh                 ~1 GB mixed text/random files, 3 runs, then the L32 scale cases
#   bench/layer-apply.sh mixed 512 2     one mode with its size and runs
# Builds the test classes (offline, no install) and removes everything it generated in $WORK.
set -eu
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/jbuild-bench-$$}
mvn -B -ntp -o -q test-compile -pl layer-cache -am >/dev/null
CP=layer-cache/target/test-classes:layer-cache/target/classes:oci-model/target/classes
CP=$CP:$(mvn -B -ntp -o -q dependency:build-classpath -pl layer-cache -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
trap 'rm -rf "$WORK"' EXIT
run() { java -Xmx1g -cp "$CP" dev.jbuild.store.bench.LayerApplyBench "$WORK" "$@"; }
if [ $# -gt 0 ]; then
  run "$@"
else
  echo "== mixed ~1 GB"; run mixed 1024 3
  echo "== L32: 1,000,000 tiny entries"; run tiny 1000000
  echo "== L32: depth 2000"; run deep 2000
  echo "== L32: 100k-entry opaque directory"; run opaque 100000
fi
