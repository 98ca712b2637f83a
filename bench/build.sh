#!/usr/bin/env bash
# Dockerfile builds with jbuild, buildah and docker side by side in one run, on the workloads of
# shared/bench (app: 2,000 dependency files and 500 sources; multistage; bigfile: a RUN writing ~700 MB).
#
#   bench/build.sh                      REPS=3 by default; REPS=1 for a quick run
#   TOOLS="jbuild buildah" bench/build.sh
#   WORKLOADS="app multistage" bench/build.sh   all three by default
#
# For each tool and workload, the median of REPS runs, in seconds:
#   cold  build with the tool's build cache emptied (the base image already local)
#   warm  the same build again, nothing changed
#   edit  one source file changed (src/s7.txt), so the last COPY and RUN run again (not for bigfile)
#   push  the built app image to a local registry (once per tool; the base layers are already there)
# Then the ratio of jbuild to the best peer for each figure. Targets: cold <= 0.7, warm and edit <= 0.5.
#
# Everything is private to a temp dir and removed at exit: a docker-registry on a free port, a dockerd with
# its own data-root, exec-root, pidfile and socket (--iptables=false --bridge=none), buildah's store, and
# jbuild's store. The base image is made offline from Debian packages: mmdebstrap --variant=minbase bookworm,
# imported with jbuild and pushed to the registry, where every tool pulls it. The rootfs tar is kept in
# ${XDG_CACHE_HOME:-~/.cache}/jbuild-bench so later runs skip mmdebstrap (BENCH_REBUILD_BASE=1 remakes it).
# The builds run in the order tool after tool for each repetition, so slow drifts of the machine's load hit
# every tool alike. Needs root (dockerd, buildah, runc).
set -euo pipefail

reps=${REPS:-3}
tools=${TOOLS:-"jbuild buildah docker"}
workloads=${WORKLOADS:-"app multistage bigfile"}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${JBUILD_SHARED:-$repo_root/../shared}
jbuild=${JBUILD:-$repo_root/jbuild}
[[ $(id -u) == 0 ]] || { echo "bench/build.sh: run as root (dockerd, buildah and runc need it)" >&2; exit 1; }
[[ -f $shared/bench/gen-context.sh ]] || { echo "bench/build.sh: $shared/bench is missing (set JBUILD_SHARED)" >&2; exit 1; }
for cmd in mmdebstrap docker-registry buildah runc dockerd docker python3 curl; do
  command -v "$cmd" >/dev/null || [[ -x /usr/sbin/$cmd ]] \
    || { echo "bench/build.sh: $cmd is missing; run scripts/install-deps" >&2; exit 1; }
done

work=$(mktemp -d /tmp/jbuild-bench-build.XXXXXX)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/jbuild-bench
dockerd_pid="" registry_pid=""
cleanup() {
  set +e
  if [[ -n $dockerd_pid ]]; then kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null; fi
  buildah_ rm --all >/dev/null 2>&1
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; fi
  # Overlay mounts left by dockerd or buildah would make the delete fail.
  grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

buildah_() {
  TMPDIR=$work/buildah/tmp buildah --root "$work/buildah/root" --runroot "$work/buildah/run" \
    --storage-driver overlay "$@"
}
export DOCKER_HOST=unix://$work/docker/docker.sock DOCKER_CONFIG=$work/docker/config DOCKER_BUILDKIT=0
mkdir -p "$work/buildah/tmp" "$work/docker/config" "$cache"
echo "{}" > "$work/docker/config/config.json"   # buildah reads DOCKER_CONFIG too, and wants the file there

echo "== jbuild: $("$jbuild" --version | head -1)" >&2   # builds the CLI on first use, before any timing

# The base image, offline: a Debian minbase rootfs from Debian's packages.
base_tar=$cache/debian-bookworm-minbase.tar
if [[ ! -f $base_tar || ! -s $base_tar || -n ${BENCH_REBUILD_BASE:-} ]]; then
  echo "== mmdebstrap --variant=minbase bookworm (once; kept in $cache)" >&2
  # mmdebstrap picks the output format from the name: keep .tar at the end of the partial file too.
  mmdebstrap --quiet --variant=minbase --mode=root bookworm "${base_tar%.tar}.partial.tar" >&2
  mv "${base_tar%.tar}.partial.tar" "$base_tar"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
reg=localhost:$port
cat > "$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 </dev/null &
registry_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

echo "== base image $reg/debian:bookworm" >&2
"$jbuild" --root "$work/seed" import -c 'CMD ["bash"]' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$base_tar" debian:bookworm >/dev/null
"$jbuild" --root "$work/seed" push -q debian:bookworm "$reg/debian:bookworm" >/dev/null

if [[ " $tools " == *" docker "* ]]; then
  dockerd_bin=$(command -v dockerd || echo /usr/sbin/dockerd)
  "$dockerd_bin" --iptables=false --bridge=none --data-root "$work/docker/data" --exec-root "$work/docker/exec" \
    --pidfile "$work/docker/pid" -H "$DOCKER_HOST" >"$work/dockerd.log" 2>&1 </dev/null &
  dockerd_pid=$!
  for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
  docker version >/dev/null || { cat "$work/dockerd.log" >&2; exit 1; }
fi

ctx=$work/ctx
bash "$shared/bench/gen-context.sh" "$ctx" >/dev/null
sed -i "s|localhost:5000/|$reg/|" "$ctx"/*/Dockerfile

export WORK=$work REG=$reg REPS=$reps TOOLS=$tools WORKLOADS=$workloads JBUILD=$jbuild CTX=$ctx
python3 - <<'PY'
import os, resource, statistics, subprocess, sys, time

work, reg, reps, ctx = os.environ["WORK"], os.environ["REG"], int(os.environ["REPS"]), os.environ["CTX"]
tools = os.environ["TOOLS"].split()
workloads = [w for w in ("app", "multistage", "bigfile") if w in os.environ["WORKLOADS"].split()]
jb = f'{os.environ["JBUILD"]} --root {work}/jbuild'
bh = (f'TMPDIR={work}/buildah/tmp buildah --root {work}/buildah/root --runroot {work}/buildah/run '
      '--storage-driver overlay')
TOOLS = {
    "jbuild": dict(
        build=jb + " build -q -t {tag} {ctx}",
        clean=jb + " rmi {tag}; " + jb + " prune --all --force --grace 0",  # no grace: truly cold
        push=jb + " push -q {tag} {reg}/{tag}",
        prep=jb + " pull -q {reg}/debian:bookworm"),
    "buildah": dict(
        build=bh + " bud -q --runtime=runc --layers --network=host --tls-verify=false -t {tag} {ctx}",
        clean=bh + " rmi -a -f",
        push=bh + " push -q --tls-verify=false {tag} docker://{reg}/{tag}",
        prep=bh + " pull -q --tls-verify=false {reg}/debian:bookworm"),
    "docker": dict(
        build="docker build -q --network=host -t {tag} {ctx}",
        clean="docker image rm -f {tag}; docker builder prune -af; docker image prune -af",
        push="docker tag {tag} {reg}/{tag} && docker push -q {reg}/{tag}",
        prep="docker pull -q {reg}/debian:bookworm"),
}

class Failed(Exception):
    pass

def sh(cmd, check=True):
    r = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise Failed(f"{cmd}\n{r.stdout[-2000:]}")
    return r.stdout

cpu = {}  # (tool, workload, figure) -> [CPU seconds of the tool's processes]
def timed(cmd, key=None):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t = time.perf_counter()
    sh(cmd)
    wall = time.perf_counter() - t; r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if key:  # user + system time of the command and every process it waited for (docker's work is in dockerd)
        cpu.setdefault(key, []).append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    return wall

res = {}  # (tool, workload, figure) -> [seconds]
failed = {}  # (tool, workload) -> why
def add(tool, w, fig, v):
    res.setdefault((tool, w, fig), []).append(v)

for w in workloads:
    for i in range(reps):
        for tool in tools:
            t = TOOLS[tool]; tag = f"bench-{w}-{tool}"; c = os.path.join(ctx, w)
            f = lambda s: s.format(tag=tag, ctx=c, reg=reg)
            if (tool, w) in failed:
                continue
            now = {}
            try:
                sh(f(t["clean"]), check=False); sh(f(t["prep"]))
                now["cold"] = timed(f(t["build"]), (tool, w, "cold"))
                now["warm"] = timed(f(t["build"]), (tool, w, "warm"))
                if w != "bigfile":
                    with open(os.path.join(c, "src", "s7.txt"), "a") as fh:
                        fh.write(f"edit {tool} {i} {time.time()}\n")
                    now["edit"] = timed(f(t["build"]), (tool, w, "edit"))
                if w == "app" and i == 0:
                    now["push"] = timed(f(t["push"]), (tool, w, "push"))
            except Failed as e:  # e.g. a Dockerfile feature a tool lacks: report it, time the rest
                failed[(tool, w)] = str(e).strip().splitlines()[-1]
                print(f"  {w} {tool} FAILED: {e}", file=sys.stderr, flush=True)
                continue
            for fig, v in now.items():
                add(tool, w, fig, v)
            print(f"  {w} rep {i + 1} {tool}: " + ", ".join(f"{k} {v:.2f}" for k, v in now.items()),
                  file=sys.stderr, flush=True)
        if w == "bigfile":  # ~1 GB per tool: free the disk before the next repetition
            for tool in tools:
                sh(TOOLS[tool]["clean"].format(tag=f"bench-{w}-{tool}"), check=False)

med = lambda k: statistics.median(res[k]) if k in res else None
figs = ("cold", "warm", "edit", "push")
print(f"\nmedians of {reps} run(s), seconds; load average {open('/proc/loadavg').read().split()[:3]}")
print("tool      workload      cold    warm    edit    push")
for tool in tools:
    for w in workloads:
        cells = [f"{med((tool, w, f)):7.2f}" if med((tool, w, f)) is not None else "      -" for f in figs]
        print(f"{tool:9} {w:11} " + " ".join(cells)
              + (f"   failed: {failed[(tool, w)]}" if (tool, w) in failed else ""))
print("\nCPU seconds (user + system) of the command and its children, medians; docker's work runs in dockerd")
print("tool      workload      cold    warm    edit    push")
for tool in tools:
    if tool == "docker":
        continue
    for w in workloads:
        m = lambda f: statistics.median(cpu[(tool, w, f)]) if (tool, w, f) in cpu else None
        print(f"{tool:9} {w:11} " + " ".join(f"{m(f):7.2f}" if m(f) is not None else "      -" for f in figs))
peers = [t for t in tools if t != "jbuild"]
if "jbuild" in tools and peers:
    target = {"cold": 0.7, "warm": 0.5, "edit": 0.5}
    print("\njbuild / best peer (target: cold <= 0.7, warm and edit <= 0.5)")
    for w in workloads:
        for f in figs:
            j = med(("jbuild", w, f)); best = [(med((p, w, f)), p) for p in peers if med((p, w, f)) is not None]
            if j is None or not best:
                continue
            b, who = min(best)
            ratio = j / b
            verdict = "" if f not in target else ("  ok" if ratio <= target[f] else f"  MISSES {target[f]}")
            print(f"  {w:11} {f:5} {ratio:5.2f}  (jbuild {j:.2f} vs {who} {b:.2f}){verdict}")
PY
