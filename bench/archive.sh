#!/usr/bin/env bash
# save/load of a ~2 GB image: jbuild (heap capped at 256 MB) against docker save/load and skopeo copy, in one run.
#   bench/archive.sh [SIZE_MB]     (default 2048; half random bytes, half text, in 64 MB files)
# Needs: dockerd and docker (Debian docker.io), skopeo. Runs a private dockerd; leaves nothing behind.
# Prints one line per operation: seconds, MB/s over the archive size, and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-2048}
export JBUILD_JAVA_OPTS=-Xmx256m
jbuild=$PWD/jbuild
work=$(mktemp -d /var/tmp/jbuild-bench-archive.XXXXXX)
dockerd_pid=""
cleanup() {
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$dockerd_pid" 2>/dev/null || true
  fi
  grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Build the launcher's jar once, outside the timings.
mvn -B -ntp -q -o package -pl cli -am -DskipTests >/dev/null

echo "== generating ${size_mb} MB of files (half random, half text)"
mkdir -p "$work/data"
files=$(( size_mb / 64 ))
for i in $(seq 1 "$files"); do
  if (( i % 2 )); then
    head -c $((64 << 20)) /dev/urandom > "$work/data/random-$i.bin"
  else
    head -c $((48 << 20)) /dev/urandom | base64 -w 100 > "$work/data/text-$i.txt"
  fi
done

declare -a rows=()
measure() { # label, archive-for-rate, command...
  local label=$1 rate_file=$2; shift 2
  local t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null
  t1=$(date +%s.%N)
  rss=$(( $(tail -1 "$work/rss") / 1024 ))
  local secs mbs bytes
  secs=$(echo "$t1 - $t0" | bc -l)
  bytes=$(stat -c %s "$rate_file")
  mbs=$(echo "$bytes / 1048576 / $secs" | bc -l)
  rows+=("$(printf '%-44s %7.1f s %7.0f MB/s %6d MB RSS' "$label" "$secs" "$mbs" "$rss")")
  echo "${rows[-1]}"
}

echo "== importing into a jbuild store"
tar -C "$work/data" -cf "$work/rootfs.tar" .
"$jbuild" --root "$work/store" import "$work/rootfs.tar" big:1 >/dev/null
rm -f "$work/rootfs.tar"

echo "== timings (archive size $(( $(du -sm "$work/data" | cut -f1) )) MB of data)"
"$jbuild" --root "$work/store" save -o "$work/jbuild.tar" big:1 # creates the file the rate is measured on
measure "jbuild save -o FILE" "$work/jbuild.tar" "$jbuild" --root "$work/store" save -o "$work/jbuild.tar" big:1
measure "jbuild load -i FILE (empty store)" "$work/jbuild.tar" "$jbuild" --root "$work/s1" load -i "$work/jbuild.tar"
measure "jbuild load -i - (stdin, empty store)" "$work/jbuild.tar" \
  sh -c "cat '$work/jbuild.tar' | '$jbuild' --root '$work/s2' load -i -"
rm -rf "$work/s1" "$work/s2"
measure "skopeo copy docker-archive: -> oci:" "$work/jbuild.tar" \
  skopeo copy --quiet "docker-archive:$work/jbuild.tar" "oci:$work/skopeo-oci:big"
rm -rf "$work/skopeo-oci"
measure "skopeo copy oci:STORE -> docker-archive:" "$work/jbuild.tar" \
  skopeo copy --quiet "oci:$work/store:big:1" "docker-archive:$work/skopeo.tar:big:1"
rm -f "$work/skopeo.tar"

if command -v dockerd >/dev/null; then
  dockerd --iptables=false --bridge=none --data-root "$work/docker" --exec-root "$work/exec" \
    --pidfile "$work/docker.pid" -H "unix://$work/docker.sock" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker -H "unix://$work/docker.sock" version >/dev/null 2>&1 && break; sleep 1; done
  d=(docker -H "unix://$work/docker.sock")
  measure "docker load -i FILE (jbuild's archive)" "$work/jbuild.tar" "${d[@]}" load -i "$work/jbuild.tar"
  measure "docker save -o FILE" "$work/jbuild.tar" "${d[@]}" save -o "$work/docker.tar" big:1
  measure "jbuild load -i FILE (docker's archive)" "$work/docker.tar" \
    "$jbuild" --root "$work/s3" load -i "$work/docker.tar"
else
  echo "(dockerd not installed: docker rows skipped)"
fi

echo
echo "== summary: ${size_mb} MB image, jbuild with $JBUILD_JAVA_OPTS, $(nproc) cores"
printf '%s\n' "${rows[@]}"
