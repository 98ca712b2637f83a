package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container commands through an installed launcher ({@code bin/jbuild} beside {@code lib/}), as root and as the
 * unprivileged test user (rootless: a user namespace kept by a pause process, overlay with userxattr, runc rootless).
 */
class ContainerLauncherIT {
  private static final Path REPO = Processes.repoRoot();
  private static final String TEST_USER = System.getenv().getOrDefault("JBUILD_TEST_USER", "jbuildtest");

  @TempDir Path tmp;
  private Path bin;
  private Path home;
  private boolean user;

  private void install(boolean asUser) throws Exception {
    user = asUser;
    if (asUser) {
      assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to the test user");
      assumeTrue(Processes.run(List.of("id", "-u", TEST_USER), Map.of(), null).exit() == 0,
          "no test user " + TEST_USER + " (scripts/install-deps creates it)");
    }
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path lib = Files.createDirectories(tmp.resolve("inst/lib"));
    bin = Files.createDirectories(tmp.resolve("inst/bin")).resolve("jbuild");
    Files.copy(REPO.resolve("jbuild"), bin);
    try (Stream<Path> jars = Files.list(REPO.resolve("cli/target/lib"))) {
      for (Path j : (Iterable<Path>) jars::iterator) {
        Files.copy(j, lib.resolve(j.getFileName()));
      }
    }
    Processes.run(List.of("chmod", "-R", "a+rX", tmp.resolve("inst").toString()), Map.of(), null);
    home = Files.createDirectories(tmp.resolve("home"));
    Path tar = BusyboxRootfs.tar(tmp.resolve("img"));
    Processes.run(List.of("chmod", "-R", "a+rX", tmp.resolve("img").toString()), Map.of(), null);
    chownToUser(home);
    Processes.Output imported = jbuild("import", "-c", "CMD [\"sh\"]", "-c", "STOPSIGNAL SIGUSR1", tar.toString(),
        "bb:1");
    assertThat(imported.exit()).as(imported.toString()).isZero();
  }

  private void chownToUser(Path p) throws Exception {
    if (user) {
      UserPrincipal u = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(TEST_USER);
      Files.setOwner(p, u);
    }
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    if (user) {
      cmd.addAll(List.of("runuser", "-u", TEST_USER, "--"));
    }
    cmd.addAll(List.of("env", "HOME=" + home, "JBUILD_ROOT=" + home.resolve("store"),
        "JBUILD_RUNTIME_DIR=" + home.resolve("run"), bin.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Attached -t needs a terminal for runc to proxy the container's through: without one (a new session, as in CI)
   * the run fails up front with what to do, not with runc's "open /dev/tty"; under a terminal (script) it works.
   */
  @org.junit.jupiter.api.Test
  void attachedTty_withoutATerminal_failsClearly_andWorksUnderOne() throws Exception {
    install(false);
    List<String> detached = new ArrayList<>(List.of("setsid", "-w"));
    detached.addAll(command("run", "--rm", "-t", "bb:1", "true"));
    Processes.Output none = Processes.run(detached, Map.of(), home);
    assertThat(none.exit()).as(none.toString()).isEqualTo(125);
    assertThat(none.err()).contains("-t needs a terminal").doesNotContain("/dev/tty");
    Processes.Output pty = Processes.run(List.of("setsid", "-w", "script", "-qec",
        String.join(" ", command("run", "--rm", "-t", "bb:1", "sh", "-c", "'test -t 1 && echo on-a-tty'")),
        "/dev/null"), Map.of(), home);
    assertThat(pty.out().replace("\r", "")).as(pty.toString()).contains("on-a-tty\n");
    assertThat(pty.exit()).isZero();
  }

  private Processes.Output jbuild(String... args) throws Exception {
    return Processes.run(command(args), Map.of(), home);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (bin == null) {
      return;
    }
    String ids = jbuild("ps", "-a", "-q").out().strip();
    if (!ids.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("rm", "-f"));
      rm.addAll(List.of(ids.split("\\s+")));
      jbuild(rm.toArray(String[]::new));
    }
    Path pause = home.resolve("run/pause.pid");
    if (Files.exists(pause)) {
      Processes.run(List.of("kill", Files.readString(pause).strip()), Map.of(), null);
    }
    String root = tmp.toRealPath().toString();
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(root)))
        .as("host mounts left under " + root).isEmpty();
  }

  @ParameterizedTest(name = "as {0}")
  @ValueSource(strings = {"root", "user"})
  void lifecycle_exitCodesUsersVolumesNetworkStopCommit(String who) throws Exception {
    install(who.equals("user"));
    assertThat(jbuild("run", "--rm", "bb:1", "sh", "-c", "exit 3").exit()).isEqualTo(3);
    assertThat(jbuild("run", "--rm", "bb:1", "nope").exit()).isEqualTo(127);
    Processes.Output alice = jbuild("run", "--rm", "-u", "alice", "-e", "A=1", "-w", "/home", "bb:1", "sh", "-c",
        "id -u; echo $A; pwd");
    assertThat(alice.out()).as(alice.toString()).isEqualTo("1234\n1\n/home\n");
    Path host = Files.createDirectories(tmp.resolve("host"));
    chownToUser(host);
    Processes.Output bind = jbuild("run", "--rm", "-v", host + ":/mnt", "bb:1", "sh", "-c", "echo w > /mnt/f");
    assertThat(bind.exit()).as(bind.toString()).isZero();
    assertThat(host.resolve("f")).hasContent("w");
    assertThat(jbuild("run", "--rm", "-v", host + ":/mnt:ro", "bb:1", "touch", "/mnt/g").exit()).isNotZero();
    assertThat(host.resolve("g")).doesNotExist();
    Processes.Output net = jbuild("run", "--rm", "--network", "none", "bb:1", "sh", "-c",
        "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    assertThat(net.out()).as(net.toString()).isEqualTo("lo\n");

    Processes.Output d = jbuild("run", "-d", "--name", "d1", "bb:1", "sh", "-c",
        "trap 'echo got USR1; exit 5' USR1; echo ready; while true; do sleep 0.1; done");
    assertThat(d.exit()).as(d.toString()).isZero();
    assertThat(jbuild("exec", "d1", "sh", "-c", "echo in > /made-by-exec").exit()).isZero();
    // Committed while running: frozen as root; rootless runc has no cgroup freezer here, so a warning says so.
    Processes.Output live = jbuild("commit", "d1", "bb:live");
    assertThat(live.exit()).as(live.toString()).isZero();
    if (who.equals("root")) {
      assertThat(live.err()).doesNotContain("cannot pause");
    } else {
      assertThat(live.err()).satisfiesAnyOf(e -> assertThat(e).doesNotContain("cannot pause"),
          e -> assertThat(e).contains("cannot pause container d1").contains("committing it while it runs"));
    }
    assertThat(jbuild("ps").out()).contains("d1").contains("Up ");
    Processes.Output stop = jbuild("stop", "d1");
    assertThat(stop.exit()).as(stop.toString()).isZero();
    assertThat(jbuild("ps", "-a").out()).contains("Exited (5)");
    assertThat(jbuild("logs", "d1").out()).isEqualTo("ready\ngot USR1\n");
    Processes.Output commit = jbuild("commit", "d1", "bb:2");
    assertThat(commit.exit()).as(commit.toString()).isZero();
    assertThat(jbuild("run", "--rm", "bb:2", "cat", "/made-by-exec").out()).isEqualTo("in\n");
    assertThat(jbuild("rm", "d1").exit()).isZero();
    try (Stream<Path> left = Files.list(home.resolve("store/containers"))) {
      assertThat(left.filter(Files::isDirectory)).isEmpty();
    }
  }

  @ParameterizedTest(name = "as {0}")
  @ValueSource(strings = {"root", "user"})
  void seccomp_defaultFilterEverywhere_unconfinedOnlyWhenAsked(String who) throws Exception {
    install(who.equals("user"));
    Processes.Output def = jbuild("run", "--rm", "bb:1", "sh", "-c",
        "grep '^Seccomp:' /proc/self/status; busybox unshare -r true; echo \"unshare=$?\"");
    assertThat(def.out()).as(def.toString()).isEqualTo("Seccomp:\t2\nunshare=1\n");
    assertThat(def.err()).contains("Operation not permitted");
    Processes.Output off = jbuild("run", "--rm", "--security-opt", "seccomp=unconfined", "bb:1", "grep",
        "^Seccomp:", "/proc/self/status");
    assertThat(off.out()).as(off.toString()).isEqualTo("Seccomp:\t0\n");
    Processes.Output bad = jbuild("run", "--rm", "--security-opt", "apparmor=unconfined", "bb:1", "true");
    assertThat(bad.exit()).isEqualTo(125);
    assertThat(bad.err()).contains("--security-opt apparmor=unconfined is not supported");

    // A kept container keeps its choice when started again; exec runs under the container's filter.
    Processes.Output kept = jbuild("run", "--name", "s1", "--security-opt", "seccomp=unconfined", "bb:1", "grep",
        "^Seccomp:", "/proc/self/status");
    assertThat(kept.out()).as(kept.toString()).isEqualTo("Seccomp:\t0\n");
    Processes.Output again = jbuild("start", "-a", "s1");
    assertThat(again.out()).as(again.toString()).isEqualTo("Seccomp:\t0\n");
    assertThat(jbuild("run", "-d", "--name", "s2", "bb:1", "sleep", "60").exit()).isZero();
    Processes.Output exec = jbuild("exec", "s2", "grep", "^Seccomp:", "/proc/self/status");
    assertThat(exec.out()).as(exec.toString()).isEqualTo("Seccomp:\t2\n");
  }

  @ParameterizedTest(name = "as {0}")
  @ValueSource(strings = {"root", "user"})
  void detachedTty_getsAPtyWhoseOutputIsLogged_andExecGetsOnlyItsUsersGroups(String who) throws Exception {
    install(who.equals("user"));
    Processes.Output d = jbuild("run", "-d", "-t", "--name", "d1", "bb:1", "sh", "-c",
        "tty; while true; do sleep 0.1; done");
    assertThat(d.exit()).as(d.toString()).isZero();
    Processes.Output groups = jbuild("exec", "-u", "4242:4242", "d1", "id", "-G");
    assertThat(groups.out()).as(groups.toString()).isEqualTo("4242\n");
    assertThat(jbuild("stop", "-t", "1", "d1").exit()).isZero();
    Processes.Output logs = jbuild("logs", "d1");
    assertThat(logs.out().replace("\r", "")).as(logs.toString()).startsWith("/dev/pts/0\n");
  }

  @ParameterizedTest(name = "as {0}")
  @ValueSource(strings = {"root", "user"})
  void sigterm_toJbuild_reachesTheContainer(String who) throws Exception {
    install(who.equals("user"));
    Process p = new ProcessBuilder(command("run", "--rm", "bb:1", "sh", "-c",
        "trap 'echo got TERM; exit 42' TERM; echo ready; while true; do sleep 0.1; done"))
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null && !line.equals("ready")) {
      seen.append(line).append('\n');
    }
    assertThat(line).as(seen.toString()).isEqualTo("ready");
    ProcessHandle java = Stream.concat(Stream.of(p.toHandle()), p.descendants())
        .filter(h -> h.info().command().orElse("").endsWith("/java")).findFirst().orElseThrow();
    Processes.run(List.of("kill", "-TERM", Long.toString(java.pid())), Map.of(), null);
    String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(rest).contains("got TERM");
    assertThat(p.exitValue()).isEqualTo(42);
  }

  @ParameterizedTest(name = "as {0}")
  @ValueSource(strings = {"root", "user"})
  void interactiveTty_getsAPtyThatFollowsWindowSizeChanges(String who) throws Exception {
    install(who.equals("user"));
    Path marks = Files.createDirectories(tmp.resolve("marks"));
    chownToUser(marks);
    String run = String.join(" ", command("run", "-it", "--rm", "-v", marks + ":/marks", "bb:1", "sh", "-c",
        "'tty; sleep 0.3; stty size; touch /marks/ready; while [ ! -e /marks/resized ]; do sleep 0.1; done; sleep 0.3;"
            + " stty size; echo $TERM'"));
    // script gives jbuild a real terminal; once the container runs, the terminal is resized under it. The first
    // stty waits a moment: rootless, a terminal ioctl right at start sometimes fails with ECHILD (runc 1.1.5).
    String inner = "stty rows 30 cols 100; (while [ ! -e " + marks + "/ready ]; do sleep 0.1; done; "
        + "stty rows 40 cols 120 </dev/tty; touch " + marks + "/resized) & " + run;
    // script's stdin stays open, as a user's terminal would: at its EOF script would type an end-of-file.
    Process p = new ProcessBuilder("script", "-qfec", inner, "/dev/null").directory(home.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    p.getOutputStream().close();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("/dev/pts/0\n30 100\n").contains("40 120\nxterm\n");
  }
}
