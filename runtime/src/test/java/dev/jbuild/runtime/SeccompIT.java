package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default seccomp filter, with the real runc: what it refuses, what still works, and the way out. */
class SeccompIT {
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
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(root))
        .collect(Collectors.toList())).as("mounts left under " + root).isEmpty();
  }

  private RunResult run(ContainerSpec spec) throws ContainerException {
    out.reset();
    err.reset();
    return Containers.run(store, busybox, "busybox:1", spec, null, out, err, false);
  }

  private static ContainerSpec sh(String script) {
    return ContainerSpec.of(List.of("sh", "-c", script));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_default_isFilteredAndRefusesANewUserNamespace() throws Exception {
    RunResult r = run(sh("grep '^Seccomp:' /proc/self/status; busybox unshare -r true; echo \"r=$?\";"
        + " busybox unshare -U true; echo \"U=$?\"; busybox unshare -r -m sh -c 'mount -t tmpfs none /tmp' ;"
        + " echo \"m=$?\""));
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).isEqualTo("Seccomp:\t2\nr=1\nU=1\nm=1\n");
    assertThat(stderr()).contains("unshare(0x10000000): Operation not permitted");
  }

  @Test
  void run_default_ordinaryCommandsForkAndExecStillWork() throws Exception {
    RunResult r = run(sh("echo one; (echo two); sh -c 'echo three' | cat; x=$(ls /bin | grep -c sh); "
        + "echo \"ls $x\"; sleep 0.1 & wait $!; echo \"bg $?\"; id -u"));
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).isEqualTo("one\ntwo\nthree\nls 2\nbg 0\n0\n");
  }

  @Test
  void run_unconfined_hasNoFilterAndMayMakeAUserNamespace() throws Exception {
    RunResult r = run(sh("grep '^Seccomp:' /proc/self/status; busybox unshare -r -m sh -c "
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
    RunResult r = run(spec);
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).isEqualTo("thread True\nclone3 38\nkeyctl 1\nbpf 1\npersonality query 0\n"
        + "personality linux 0\npersonality no-aslr 1\nfork 7\n");
    // Unfiltered, the kernel answers itself: clone3, keyctl and bpf with these arguments are EINVAL, and the
    // persona may change.
    r = run(spec.withSeccompUnconfined(true));
    assertThat(r.exitCode()).as(stderr()).isZero();
    assertThat(stdout()).startsWith("thread True\nclone3 22\n").doesNotContain("keyctl 1\n")
        .doesNotContain("bpf 1\n").contains("personality no-aslr 0\n").endsWith("fork 7\n");
  }
}
