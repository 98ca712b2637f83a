#!/usr/bin/env bash
# Time from `jbuild run --rm IMAGE true` to exit, against `podman run --rm --runtime=runc IMAGE true` on the same
# busybox image, in one run, interleaved; prints the medians and the ratio (target: <= 1.0x podman).
#   bench/run.sh [RUNS]    (default 21)
# Also times jbuild's JVM start alone (jbuild --version), the floor under every jbuild command.
# Needs: podman, runc, busybox-static. podman gets --network=host (jbuild has no bridge) and the same NOFILE
# limit as jbuild, NPROC 4096 (podman's default rlimits are refused in some sandboxes).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
jbuild=$PWD/jbuild
work=$(mktemp -d /var/tmp/jbuild-bench-run.XXXXXX)
export JBUILD_ROOT=$work/store
podman=(podman --root "$work/podman" --runroot "$work/podman-run" --storage-driver overlay)
cleanup() {
  "${podman[@]}" rm -af >/dev/null 2>&1 || true
  "${podman[@]}" system reset -f >/dev/null 2>&1 || true
  grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$jbuild" --version >/dev/null  # the launcher builds the CLI and its start-up archive when they are stale

# The image: busybox-static with a passwd, imported by jbuild, saved as a docker-archive and loaded by podman.
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp"
cp /bin/busybox "$work/rootfs/bin/"
for a in sh true echo; do ln -s busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
"$jbuild" import -c 'CMD ["sh"]' "$work/rootfs.tar" bench/busybox:1 >/dev/null
"$jbuild" save -o "$work/image.tar" bench/busybox:1
"${podman[@]}" load -q -i "$work/image.tar" >/dev/null
pimage=$("${podman[@]}" images -q | head -1)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -a tj=() tp=() tv=()
# Warm-up: extracts the layer tree once and fills the page cache, for both.
"$jbuild" run --rm bench/busybox:1 true
"${podman[@]}" run --rm --runtime=runc --network=host --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$pimage" true
for ((i = 0; i < runs; i++)); do
  s=$(now); "$jbuild" run --rm bench/busybox:1 true; tj+=($(( ($(now) - s) / 1000000 )))
  s=$(now); "${podman[@]}" run --rm --runtime=runc --network=host --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$pimage" true; tp+=($(( ($(now) - s) / 1000000 )))
  s=$(now); "$jbuild" --version >/dev/null; tv+=($(( ($(now) - s) / 1000000 )))
done
mj=$(printf '%s\n' "${tj[@]}" | median)
mp=$(printf '%s\n' "${tp[@]}" | median)
mv=$(printf '%s\n' "${tv[@]}" | median)
echo "runs: $runs (interleaved), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %8s ms\n' "jbuild run --rm IMAGE true (median)" "$mj"
printf '%-48s %8s ms\n' "podman run --rm --runtime=runc IMAGE true (median)" "$mp"
printf '%-48s %8s ms\n' "  of which jbuild's JVM start (jbuild --version)" "$mv"
awk -v j="$mj" -v p="$mp" 'BEGIN {printf "ratio jbuild/podman: %.2fx (target <= 1.0x)\n", j / p}'
