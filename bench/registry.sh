#!/usr/bin/env bash
# Push and pull a ~1 GB, 10-layer image to and from a local docker-registry with jbuild and with skopeo, side by
# side in one run; prints the median of RUNS (default 3) runs of each and jbuild's time as a fraction of
# skopeo's. jbuild runs with -Xmx256m.
#
#   RUNS=5 bench/registry.sh [LAYERS] [MIB_PER_LAYER]      (default 10 x 100)
#
# What is compared:
#   push (first)   jbuild push of freshly built, uncompressed layers: gzip once, then upload (cached afterwards)
#   push (repeat)  jbuild push of the same image to a new repository: gzip cached, upload only
#   skopeo push    skopeo copy of the same gzip layers from an OCI layout to a new repository
#   push (no-op)   the same push again to the same repository: nothing to send (jbuild: one manifest HEAD)
#   push (mount)   to another repository of the registry the image was first pushed to: blobs are mounted
#   pull           into an empty store with --no-unpack (jbuild: digest and diffID verification, i.e. a gunzip per
#                  layer) vs skopeo copy into an empty OCI layout; jbuild's default pull, which also unpacks the
#                  layers as docker pull does, is timed too and printed on its own (skopeo has no counterpart)
set -euo pipefail

layers=${1:-10}
mib=${2:-100}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d /tmp/jbuild-bench-registry.XXXXXX)
cleanup() {
  stop_registries
  rm -rf "$work"
}
trap cleanup EXIT

export JBUILD_JAVA_OPTS=-Xmx256m
jbuild="$repo_root/jbuild"
cd "$repo_root"

echo "building jbuild and the benchmark helper..." >&2
"$jbuild" --version >/dev/null
mvn -B -ntp -o -q test-compile -pl registry-client -am >/dev/null
mvn -B -ntp -o -q dependency:build-classpath -pl registry-client -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="$repo_root/registry-client/target/test-classes:$repo_root/registry-client/target/classes:$(cat "$work/cp.txt")"

# start_registry NAME: a docker-registry with its own storage on a free loopback port; prints localhost:PORT.
# Runs in a command substitution (a subshell), so each registry's pid goes to a file the main shell reads.
start_registry() {
  local name=$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$work/$name.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/$name
http:
  addr: 127.0.0.1:$port
YAML
  docker-registry serve "$work/$name.yml" >"$work/$name.log" 2>&1 </dev/null &
  echo $! > "$work/$name.pid"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
  echo "localhost:$port"
}
stop_registry() {
  local file="$work/$1.pid"
  [[ -f "$file" ]] || return 0
  kill "$(cat "$file")" 2>/dev/null || true
  rm -f "$file"
}
stop_registries() {
  local file
  for file in "$work"/*.pid; do [[ -e "$file" ]] && stop_registry "$(basename "$file" .pid)"; done
  return 0
}
host=$(start_registry source)

echo "writing the image ($layers x $mib MiB, uncompressed layers)..." >&2
java -cp "$cp" dev.jbuild.registry.transfer.BenchImage "$work/store" bench:1 "$layers" "$mib" >/dev/null

# seconds CMD...: prints the wall time; appends "LABEL CPU" (user + sys seconds of the command) to $work/cpu.txt,
# since on a loaded machine CPU time says more than wall time.
seconds() {
  local s e
  s=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/last.cpu" "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }
  e=$(date +%s.%N)
  echo "$cpu_label $(awk '{print $1 + $2}' "$work/last.cpu")" >> "$work/cpu.txt"
  echo "$e - $s" | bc
}
cpu_label=first
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
runs=${RUNS:-3}

first=$(seconds "$jbuild" --root "$work/store" push -q bench:1 "$host/bench/first:1")
# skopeo's source: the same gzip layers jbuild pushed, in an OCI layout (not timed).
skopeo copy --quiet --src-tls-verify=false "docker://$host/bench/first:1" "oci:$work/oci:bench" >/dev/null

jb_push=(); sk_push=(); jb_pull=(); jb_unpack=(); sk_pull=(); jb_noop=(); sk_noop=(); jb_mount=(); sk_mount=()
loads=()
for i in $(seq 1 "$runs"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  # Each push goes to a registry of its own: neither tool can skip or mount blobs it pushed before (skopeo
  # remembers blob locations in its blob-info cache and would mount instead of uploading).
  jb_dest=$(start_registry "push-jb$i")
  sk_dest=$(start_registry "push-sk$i")
  cpu_label=jb-push
  jb_push+=("$(seconds "$jbuild" --root "$work/store" push -q bench:1 "$jb_dest/bench/app:1")")
  cpu_label=sk-push
  sk_push+=("$(seconds skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:bench" "docker://$sk_dest/bench/app:1")")
  cpu_label=jb-noop
  jb_noop+=("$(seconds "$jbuild" --root "$work/store" push -q bench:1 "$jb_dest/bench/app:1")")
  cpu_label=sk-noop
  sk_noop+=("$(seconds skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:bench" "docker://$sk_dest/bench/app:1")")
  cpu_label=jb-mount
  jb_mount+=("$(seconds "$jbuild" --root "$work/store" push -q bench:1 "$host/bench/jb-mount$i:1")")
  cpu_label=sk-mount
  sk_mount+=("$(seconds skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:bench" "docker://$host/bench/sk-mount$i:1")")
  stop_registry "push-jb$i"
  stop_registry "push-sk$i"
  rm -rf "$work/push-jb$i" "$work/push-sk$i"
  cpu_label=jb-pull
  jb_pull+=("$(seconds "$jbuild" --root "$work/pull-jb$i" pull -q --no-unpack "$host/bench/first:1")")
  rm -rf "$work/pull-jb$i"
  cpu_label=jb-pull-unpack
  jb_unpack+=("$(seconds "$jbuild" --root "$work/pull-jb$i" pull -q "$host/bench/first:1")")
  rm -rf "$work/pull-jb$i"
  cpu_label=sk-pull
  sk_pull+=("$(seconds skopeo copy --quiet --src-tls-verify=false "docker://$host/bench/first:1" "oci:$work/pull-sk$i:bench")")
  rm -rf "$work/pull-sk$i"
done

size=$(du -sm "$work/oci/blobs" | cut -f1)
# row LABEL JBUILD_RUNS... -- SKOPEO_RUNS...: medians, all runs, and jbuild / skopeo
row() {
  local label=$1; shift
  local jb=() sk=() side=jb
  for v in "$@"; do
    if [[ $v == -- ]]; then side=sk; elif [[ $side == jb ]]; then jb+=("$v"); else sk+=("$v"); fi
  done
  local mj ms
  mj=$(median "${jb[@]}"); ms=$(median "${sk[@]}")
  printf '%-16s %8.2f %8.2f %7.2fx   jbuild: %s   skopeo: %s\n' "$label" "$mj" "$ms" "$(echo "$mj / $ms" | bc -l)" \
    "$(printf '%.2f ' "${jb[@]}")" "$(printf '%.2f ' "${sk[@]}")"
}
printf '\nimage: %d layers x %d MiB uncompressed, %d MiB gzip; median of %d (s); 1-min load at each run: %s\n' \
  "$layers" "$mib" "$size" "$runs" "${loads[*]}"
printf 'jbuild push (first, compresses): %.2f s\n' "$first"
printf '%-16s %8s %8s %8s\n' "" jbuild skopeo ratio
row "push" "${jb_push[@]}" -- "${sk_push[@]}"
row "push (no-op)" "${jb_noop[@]}" -- "${sk_noop[@]}"
row "push (mount)" "${jb_mount[@]}" -- "${sk_mount[@]}"
row "pull" "${jb_pull[@]}" -- "${sk_pull[@]}"
printf 'jbuild pull that also unpacks (the default, as docker pull): %.2f s median (%s)\n' \
  "$(median "${jb_unpack[@]}")" "$(printf '%.2f ' "${jb_unpack[@]}")"
cpu() { median $(awk -v l="$1" '$1 == l {print $2}' "$work/cpu.txt"); }
printf '\nCPU seconds (user + sys of the client process; the registry not included), median:\n'
for op in push noop mount pull; do
  printf '%-16s %8.2f %8.2f %7.2fx\n' "$op" "$(cpu jb-$op)" "$(cpu sk-$op)" "$(echo "$(cpu jb-$op) / $(cpu sk-$op)" | bc -l)"
done
