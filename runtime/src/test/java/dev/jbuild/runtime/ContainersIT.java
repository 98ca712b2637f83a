package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages.StoredImage;
import dev.jbuild.store.layers.LayerTrees;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.testing.BaseImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs busybox containers with the real runc and overlayfs, as root, under the default seccomp filter or none. */
class ContainersIT {
  @TempDir Path tmp;
  private Store store;
  private Descriptor busybox;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(tmp.resolve("store"));
    busybox = BaseImages.busybox(store, "busybox:1");
  }

  @AfterEach
  void noMountsLeft() throws Exception {
    store.close();
    String root = tmp.toRealPath().toString();
    List<String> left = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(l -> l.contains(root)).collect(Collectors.toList());
    assertThat(left).as("mounts left under " + root).isEmpty();
    assertThat(tmp.resolve("store/containers")).isEmptyDirectory();
    Path runcState = tmp.resolve("store/runc");
    if (Files.exists(runcState)) {
      try (var states = Files.list(runcState)) {
        assertThat(states.collect(Collectors.toList())).as("containers left in runc's state dir").isEmpty();
      }
    }
  }

  private RunResult run(ContainerSpec spec, boolean changes) throws ContainerException {
    return Containers.run(store, busybox, "busybox:1", spec, null, out, err, changes);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_echo_printsAndExitsZero() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("echo", "hello")), false);
    assertThat(r.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stdout()).isEqualTo("hello\n");
    assertThat(r.changes()).isEmpty();
  }

  @Test
  void run_exitThree_returnsThree() throws Exception {
    assertThat(run(ContainerSpec.of(List.of("sh", "-c", "exit 3")), false).exitCode()).isEqualTo(3);
  }

  @Test
  void run_stdin_reachesTheContainer() throws Exception {
    RunResult r = Containers.run(store, busybox, "busybox:1", ContainerSpec.of(List.of("cat")),
        new ByteArrayInputStream("piped\n".getBytes(StandardCharsets.UTF_8)), out, err, false);
    assertThat(r.exitCode()).isZero();
    assertThat(stdout()).isEqualTo("piped\n");
  }

  @Test
  void run_imageEnv_isHonouredAndOverridable() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("sh", "-c", "echo $PATH; echo $FOO")).withEnv(List.of("FOO=bar")),
        false);
    assertThat(r.exitCode()).isZero();
    assertThat(stdout()).isEqualTo("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nbar\n");
  }

  /**
   * A RUN step's environment may hold a secret (RUN --mount=type=secret,env=NAME): the bundle's config.json, which
   * carries it, lives in a private directory in memory while the container runs, never in the store.
   */
  @Test
  void run_environment_neverReachesTheStore_whileTheContainerRuns() throws Exception {
    String secret = "s3cr3t-" + java.util.UUID.randomUUID();
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    java.util.Set<String> bundlesBefore = bundlesInShm();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger configsSeen = new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<Path> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.Set<Path> seenBundles = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Thread scanner = new Thread(() -> {
      while (!stop.get()) {
        scanForSecret(tmp.resolve("store"), needle, leaks);
        // The bundle is somewhere while runc runs: in /dev/shm, holding the secret (which proves the scan sees it).
        for (String b : bundlesInShm()) {
          if (!bundlesBefore.contains(b)) {
            seenBundles.add(Path.of("/dev/shm", b));
            configsSeen.incrementAndGet();
          }
        }
        scans.incrementAndGet();
      }
    });
    scanner.start();
    RunResult r;
    try {
      r = run(ContainerSpec.of(List.of("sh", "-c", "echo \"$TOKEN\"; sleep 1")).withEnv(List.of("TOKEN=" + secret)),
          false);
    } finally {
      stop.set(true);
      scanner.join();
    }
    assertThat(r.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stdout()).isEqualTo(secret + "\n");
    assertThat(scans.get()).as("store scans while the container ran").isGreaterThan(3);
    assertThat(leaks).as("files in the store holding the environment").isEmpty();
    assertThat(configsSeen.get()).as("the bundle was seen in /dev/shm").isPositive();
    assertThat(bundlesInShm()).as("bundles left in /dev/shm").isSubsetOf(bundlesBefore);
  }

  private static java.util.Set<String> bundlesInShm() {
    try (java.util.stream.Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jbuild-bundle-"))
          .collect(Collectors.toSet());
    } catch (java.io.IOException e) {
      return java.util.Set.of();
    }
  }

  /** Every file on the store's disk; not the container's merged view (a mount, which a walk would keep busy). */
  private static void scanForSecret(Path root, byte[] needle, java.util.List<Path> leaks) {
    try {
      Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
            java.nio.file.attribute.BasicFileAttributes attrs) {
          boolean merged = dir.getFileName() != null && dir.getFileName().toString().equals("rootfs")
              && dir.getParent().getParent().getFileName().toString().equals("containers");
          return merged ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            try {
              byte[] b = Files.readAllBytes(p);
              for (int i = 0; i + needle.length <= b.length; i++) {
                if (java.util.Arrays.equals(b, i, i + needle.length, needle, 0, needle.length)) {
                  leaks.add(p);
                  break;
                }
              }
            } catch (java.io.IOException ignored) {
              // gone meanwhile
            }
          }
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path p, java.io.IOException e) {
          return java.nio.file.FileVisitResult.CONTINUE; // vanished during the walk
        }
      });
    } catch (java.io.IOException ignored) {
      // the next scan looks again
    }
  }


  @Test
  void run_userAndCwd_areApplied() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("sh", "-c", "id -u; id -g; pwd")).withUser(1234, 5678).withCwd("/tmp"),
        false);
    assertThat(r.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stdout()).isEqualTo("1234\n5678\n/tmp\n");
  }

  @Test
  void run_writesAndDeletes_showUpAsChangesWithWhiteouts() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("sh", "-c", "echo x > /new; rm /etc/group")), true);
    assertThat(r.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    List<String> paths = r.changes().stream().map(LayerEntry::path).collect(Collectors.toList());
    assertThat(paths).contains("new", "etc/.wh.group");
    LayerEntry created = r.changes().stream().filter(e -> e.path().equals("new")).findFirst().orElseThrow();
    assertThat(created.type()).isEqualTo(LayerEntry.Type.REGULAR);
    assertThat(created.size()).isEqualTo(2);
  }

  @Test
  void run_changesNothing_leavesOutTheMountPointsRuncCreated() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("true")), true);
    assertThat(r.exitCode()).isZero();
    assertThat(r.changes()).isEmpty();
  }

  @Test
  void run_writesIntoAMountPointParent_keepsIt() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("sh", "-c", "echo 1 > /etc/extra")), true);
    assertThat(r.exitCode()).isZero();
    assertThat(r.changes()).extracting(LayerEntry::path).containsExactly("etc", "etc/extra");
  }

  @Test
  void run_onChanges_readsFilesBeforeTheUpperDirGoes() throws Exception {
    StringBuilder seen = new StringBuilder();
    RunResult r = Containers.run(store, busybox, "busybox:1",
        ContainerSpec.of(List.of("sh", "-c", "echo content > /f")), null, out, err, changes -> {
          for (LayerEntry e : changes) {
            if (e.path().equals("f")) {
              seen.append(Files.readString(e.source()));
            }
          }
          return null;
        });
    assertThat(r.exitCode()).isZero();
    assertThat(seen.toString()).isEqualTo("content\n");
  }

  @Test
  void run_writtenLayer_upperDirBecomesItsTree_equalToAnExtractionOfTheBlob() throws Exception {
    StoredImage image = Rootfs.of(store).read(busybox, "busybox:1");
    List<Descriptor> layers = new ArrayList<>(image.manifest().layers());
    List<Digest> diffIds = new ArrayList<>(image.config().diffIds());
    Instant epoch = Instant.parse("2030-01-01T00:00:00Z");
    // A file, a hard link, a symlink, a fifo, a chown, a chmod, an mtime after the epoch (clamped) and one before,
    // next to the empty mount points runc makes (/proc, /dev, /etc/hosts, ...), which the layer leaves out.
    Digest first = runAndWrite(layers, diffIds, epoch, "mkdir -p /d/sub /w/old && echo a > /d/sub/f"
        + " && ln /d/sub/f /d/hard && ln -s sub/f /d/link && busybox mkfifo /d/fifo && busybox chown 12:34 /d/sub/f"
        + " && busybox chmod 0751 /d/sub && touch -d '2040-01-01 00:00:00' /d/future"
        + " && touch -d '2001-02-03 04:05:06' /d/past && echo old > /w/old/x");
    // The adopted tree serves as a lower dir; deleting from it makes a whiteout, replacing a dir an opaque one.
    layers.add(new Descriptor(MediaType.OCI_LAYER, first, store.blobs().size(first)));
    diffIds.add(first);
    Digest second = runAndWrite(layers, diffIds, null,
        "cat /d/sub/f && rm /etc/group /d/link && rm -rf /w && mkdir /w && echo new > /w/x");
    assertThat(stdout()).isEqualTo("a\n");

    try (Store other = Store.open(tmp.resolve("other"))) {
      for (Digest d : List.of(first, second)) {
        Path adopted = LayerTrees.of(store).find(d).orElseThrow(() -> new AssertionError("no adopted tree " + d));
        try (InputStream in = store.blobs().open(d); BlobWriter w = other.blobs().newWriter()) {
          in.transferTo(w.stream());
          w.commit(d, -1);
        }
        Path extracted = LayerTrees.of(other).ensure(
            new Descriptor(MediaType.OCI_LAYER, d, other.blobs().size(d)), d);
        assertThat(TreeFacts.of(adopted)).as("tree of " + d).isEqualTo(TreeFacts.of(extracted));
      }
      assertThat(TreeFacts.of(LayerTrees.of(store).find(first).orElseThrow()))
          .containsKeys("d/sub/f", "d/hard", "d/link", "d/fifo", "d/future", "d/past", "w/old/x")
          .doesNotContainKeys("proc", "dev", "sys", "etc");
      assertThat(TreeFacts.of(LayerTrees.of(store).find(second).orElseThrow()))
          .containsKeys("etc/group", "d/link", "w/x").doesNotContainKeys("w/old", "proc", "dev", "sys");
    }
  }

  private Digest runAndWrite(List<Descriptor> layers, List<Digest> diffIds, Instant epoch, String script)
      throws Exception {
    Digest[] made = new Digest[1];
    ContainerSpec spec = ContainerSpec.of(List.of("sh", "-c", script)).withEnv(List.of("PATH=/bin"));
    RunResult r = Containers.run(store, layers, diffIds, "test", spec, null, out, err, changes -> {
          try {
            Layer l = LayerBlobs.writeLayer(store.blobs(), changes, epoch);
            made[0] = l.diffId();
            return new Containers.WrittenLayer(l.diffId(), epoch);
          } catch (dev.jbuild.store.StoreException e) {
            throw new java.io.IOException(e);
          }
        });
    assertThat(r.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return made[0];
  }

  @Test
  void run_x02_noJvmFdLeaksIntoTheContainer() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("ls", "/proc/self/fd")), false);
    assertThat(r.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    List<Integer> fds = Arrays.stream(stdout().trim().split("\\s+")).map(Integer::parseInt)
        .collect(Collectors.toList());
    assertThat(fds).contains(0, 1, 2).allMatch(fd -> fd <= 3);
  }

  @Test
  void run_x08_inheritableCapabilitiesAreEmpty() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("grep", "^Cap", "/proc/self/status")), false);
    assertThat(r.exitCode()).isZero();
    assertThat(stdout()).contains("CapInh:\t0000000000000000").contains("CapAmb:\t0000000000000000");
    assertThat(stdout()).doesNotContain("CapEff:\t0000000000000000"); // root in the container keeps the defaults
  }

  @Test
  void run_networkNone_seesOnlyLoopback() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("cat", "/proc/net/dev")).withHostNetwork(false), false);
    assertThat(r.exitCode()).isZero();
    List<String> ifaces = Arrays.stream(stdout().split("\n")).skip(2).map(l -> l.split(":")[0].trim())
        .filter(s -> !s.isEmpty()).collect(Collectors.toList());
    assertThat(ifaces).containsExactly("lo");
  }

  @Test
  void run_hostNetwork_seesTheHostInterfaces() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("cat", "/proc/net/dev")), false);
    assertThat(r.exitCode()).isZero();
    long hostIfaces = Files.readAllLines(Path.of("/proc/net/dev")).size() - 2;
    assertThat(stdout().split("\n")).hasSize((int) hostIfaces + 2);
  }

  @Test
  void run_runcKilledWhileTheContainerRuns_theContainerIsDeletedAfterIt() throws Exception {
    // runc run removes its container when the process exits; a runc killed first leaves the container (and its
    // process) behind, and only then does jbuild run `runc delete -f` itself.
    Path marker = tmp.resolve("marker");
    Thread t = new Thread(() -> {
      try {
        RunResult r = run(ContainerSpec.of(List.of("sleep", "600")), false);
        Files.writeString(marker, Integer.toString(r.exitCode()));
      } catch (Exception e) {
        try {
          Files.writeString(marker, "failed: " + e);
        } catch (java.io.IOException ignored) {
          // the assertion below reports the missing marker
        }
      }
    });
    t.start();
    ProcessHandle runc = null;
    for (int i = 0; i < 200 && runc == null; i++) {
      runc = ProcessHandle.current().descendants()
          .filter(p -> p.info().commandLine().map(c -> c.contains(" run --bundle ")).orElse(false))
          .filter(p -> p.descendants().anyMatch(c -> c.info().command().map(x -> x.endsWith("sleep")
              || x.endsWith("busybox")).orElse(false)))
          .findFirst().orElse(null);
      if (runc == null) {
        Thread.sleep(50);
      }
    }
    assertThat(runc).as("runc running sleep").isNotNull();
    List<ProcessHandle> container = runc.descendants().collect(Collectors.toList());
    runc.destroyForcibly();
    t.join(30_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(Files.readString(marker)).isNotEqualTo("0").doesNotStartWith("failed");
    for (ProcessHandle p : container) {
      p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS); // runc delete -f killed what runc left running
    }
    assertThat(container).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void run_missingCommand_failsWithNonZeroAndCleansUp() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("/no/such/binary")), false);
    assertThat(r.exitCode()).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("/no/such/binary");
  }

  // The default seccomp filter: what it refuses, what still works, and the way out.

  /** Runs {@code spec} with stdout and stderr of this run only. */
  private RunResult runSeccomp(ContainerSpec spec) throws ContainerException {
    out.reset();
    err.reset();
    return run(spec, false);
  }

  private static ContainerSpec sh(String script) {
    return ContainerSpec.of(List.of("sh", "-c", script));
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_default_isFilteredAndRefusesANewUserNamespace() throws Exception {
    RunResult r = runSeccomp(sh("grep '^Seccomp:' /proc/self/status; busybox unshare -r true; echo \"r=$?\";"
        + " busybox unshare -U true; echo \"U=$?\"; busybox unshare -r -m sh -c 'mount -t tmpfs none /tmp' ;"
        + " echo \"m=$?\""));
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).isEqualTo("Seccomp:\t2\nr=1\nU=1\nm=1\n");
    assertThat(stderr()).contains("unshare(0x10000000): Operation not permitted");
  }

  @Test
  void run_default_ordinaryCommandsForkAndExecStillWork() throws Exception {
    RunResult r = runSeccomp(sh("echo one; (echo two); sh -c 'echo three' | cat; x=$(ls /bin | grep -c sh); "
        + "echo \"ls $x\"; sleep 0.1 & wait $!; echo \"bg $?\"; id -u"));
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).isEqualTo("one\ntwo\nthree\nls 2\nbg 0\n0\n");
  }

  @Test
  void run_unconfined_hasNoFilterAndMayMakeAUserNamespace() throws Exception {
    RunResult r = runSeccomp(sh("grep '^Seccomp:' /proc/self/status; busybox unshare -r -m sh -c "
        + "'mount -t tmpfs none /tmp && echo mounted'").withSeccompUnconfined(true));
    assertThat(r.exitCode()).as(stderr()).isZero();
    // The kernel itself lets an unprivileged process make a user namespace (max_user_namespaces > 0 here).
    assertThat(stdout()).isEqualTo("Seccomp:\t0\nmounted\n");
  }

  /**
   * A glibc program under the filter, with the host's /usr bound read-only: Python starts a thread (glibc tries
   * clone3, gets ENOSYS and falls back to clone with CLONE_THREAD, which passes), and calls refused syscalls through
   * ctypes to see the errno each returns.
   */
  @Test
  void run_default_glibcThreadsWork_refusedCallsGetTheirErrno() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs the host's /usr/bin/python3");
    assumeTrue("amd64".equals(System.getProperty("os.arch")), "syscall numbers below are x86_64's");
    List<Mount> mounts = new ArrayList<>(List.of(Mount.bind("/usr", "/usr", true)));
    for (String dir : List.of("/lib", "/lib64")) {
      if (Files.isDirectory(Path.of(dir))) {
        mounts.add(Mount.bind(Path.of(dir).toRealPath().toString(), dir, true));
      }
    }
    String script = String.join("\n",
        "import ctypes, os, threading",
        "libc = ctypes.CDLL(None, use_errno=True)",
        "libc.syscall.restype = ctypes.c_long",
        "def call(nr, *args):",
        "    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_ulong(a) for a in args])",
        "    return 0 if r >= 0 else ctypes.get_errno()",
        "seen = []",
        "t = threading.Thread(target=lambda: seen.append(threading.get_native_id()))",
        "t.start(); t.join()",
        "print('thread', len(seen) == 1 and seen[0] != os.getpid())",
        "print('clone3', call(435, 0, 0))",
        "print('keyctl', call(250, 0, 0))",
        "print('bpf', call(321, 0, 0, 0))",
        "print('personality query', call(135, 0xffffffff))",
        "print('personality linux', call(135, 0))",
        "print('personality no-aslr', call(135, 0x0040000))",
        "pid = os.fork()",
        "if pid == 0: os._exit(7)",
        "print('fork', os.waitpid(pid, 0)[1] >> 8)");
    ContainerSpec spec = ContainerSpec.of(List.of("/usr/bin/python3", "-c", script)).withMounts(mounts);
    RunResult r = runSeccomp(spec);
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).isEqualTo("thread True\nclone3 38\nkeyctl 1\nbpf 1\npersonality query 0\n"
        + "personality linux 0\npersonality no-aslr 1\nfork 7\n");
    // Unfiltered, the kernel answers itself: clone3, keyctl and bpf with these arguments are EINVAL, and the
    // persona may change.
    r = runSeccomp(spec.withSeccompUnconfined(true));
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).startsWith("thread True\nclone3 22\n").doesNotContain("keyctl 1\n")
        .doesNotContain("bpf 1\n").contains("personality no-aslr 0\n").endsWith("fork 7\n");
  }
}
