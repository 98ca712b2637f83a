package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbuild run} and the container commands in-process as root, with the real runc and overlayfs. */
class ContainerRunIT {
  @TempDir Path tmp;
  private Cli cli;
  private Path store;

  @BeforeEach
  void image() throws Exception {
    store = tmp.resolve("store");
    cli = new Cli(store);
    Path tar = BusyboxRootfs.tar(tmp.resolve("img"));
    Cli.Result r = cli.run("import", "-c", "CMD [\"sh\"]", "-c", "WORKDIR /srv", "-c", "ENV FROM_IMAGE=yes",
        "-c", "STOPSIGNAL SIGUSR1", tar.toString(), "bb:1");
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @AfterEach
  void nothingMounted() throws Exception {
    for (String name : List.of("c1", "d1", "e1")) {
      cli.run("rm", "-f", name);
    }
    String root = tmp.toRealPath().toString();
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(root)))
        .as("mounts left under " + root).isEmpty();
  }

  @Test
  void run_exitCodes_areTheContainersOrDockers() {
    assertThat(cli.run("run", "--rm", "bb:1", "sh", "-c", "exit 7").exit()).isEqualTo(7);
    Cli.Result missing = cli.run("run", "--rm", "bb:1", "no-such-command");
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(127);
    assertThat(missing.err()).contains("executable file not found");
    assertThat(cli.run("run", "--rm", "bb:1", "/etc/passwd").exit()).isEqualTo(126);
    Cli.Result noImage = cli.run("run", "--rm", "--pull", "never", "nothere:1", "true");
    assertThat(noImage.exit()).isEqualTo(125);
    assertThat(noImage.err()).contains("no such image: nothere:1");
  }

  @Test
  void run_rm_leavesNoContainerDirAndNoMount() throws Exception {
    Cli.Result r = cli.run("run", "--rm", "bb:1", "sh", "-c", "echo hi > /f; echo out");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("out\n");
    try (Stream<Path> left = Files.list(store.resolve("containers"))) {
      assertThat(left.filter(Files::isDirectory)).isEmpty();
    }
    assertThat(cli.run("ps", "-a", "-q").out()).isEmpty();
  }

  @Test
  void run_envEnvFileWorkdirAndUserByName() throws Exception {
    Path envFile = tmp.resolve("vars.env");
    Files.writeString(envFile, "# settings\nFROM_FILE=file value\n\nOVERRIDDEN=file\n");
    Cli.Result r = cli.run("run", "--rm", "--env-file", envFile.toString(), "-e", "OVERRIDDEN=flag", "-e", "PATH",
        "-u", "alice", "bb:1", "sh", "-c",
        "echo \"$FROM_IMAGE|$FROM_FILE|$OVERRIDDEN|$PATH\"; pwd; id -u; id -g; id -G");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("yes|file value|flag|" + System.getenv("PATH") + "\n/srv\n1234\n2345\n2345\n");
    Cli.Result w = cli.run("run", "--rm", "-w", "/tmp", "-u", "nobody:staff", "bb:1", "sh", "-c", "pwd; id -u; id -g");
    assertThat(w.out()).isEqualTo("/tmp\n65534\n2345\n");
    Cli.Result unknown = cli.run("run", "--rm", "-u", "mallory", "bb:1", "true");
    assertThat(unknown.exit()).isEqualTo(125);
    assertThat(unknown.err()).contains("unable to find user mallory");
  }

  /** docker removes an auto-remove container whose start fails: nothing is left, attached or detached. */
  @Test
  void run_rm_failingBeforeStart_leavesNoContainer() throws Exception {
    for (List<String> detach : List.of(List.<String>of(), List.of("-d"))) {
      Cli.Result user = cli.run(Stream.concat(Stream.of("run", "--rm"), Stream.concat(detach.stream(),
          Stream.of("-u", "nosuch", "bb:1", "true"))).toArray(String[]::new));
      assertThat(user.exit()).as(user.toString()).isEqualTo(125);
      assertThat(user.err()).contains("unable to find user nosuch");
      Cli.Result volume = cli.run(Stream.concat(Stream.of("run", "--rm"), Stream.concat(detach.stream(),
          Stream.of("-v", "bad/name:/x", "bb:1", "true"))).toArray(String[]::new));
      assertThat(volume.exit()).as(volume.toString()).isEqualTo(125);
      assertThat(volume.err()).contains("invalid volume name \"bad/name\" in -v bad/name:/x");
      assertThat(cli.run("ps", "-a", "-q").out()).as("after " + detach).isEmpty();
      try (Stream<Path> left = Files.list(store.resolve("containers"))) {
        assertThat(left.filter(Files::isDirectory)).as("after " + detach).isEmpty();
      }
    }
    // Without --rm the container stays, as docker's does, and its start can be retried.
    Cli.Result kept = cli.run("run", "--name", "c1", "-u", "nosuch", "bb:1", "true");
    assertThat(kept.exit()).isEqualTo(125);
    assertThat(cli.run("ps", "-a").out()).contains("c1");
  }

  /** Short /etc/passwd and /etc/group lines: missing fields are empty and an empty id is 0, as in docker. */
  @Test
  void run_shortPasswdAndGroupLines_readAsDockerReadsThem() throws Exception {
    Path tar = BusyboxRootfs.tar(tmp.resolve("img-short"), root -> {
      Files.writeString(root.resolve("etc/passwd"), "short:x:1234\n", StandardOpenOption.APPEND);
      Files.writeString(root.resolve("etc/group"), "brief:x:3456\n", StandardOpenOption.APPEND);
    });
    assertThat(cli.run("import", tar.toString(), "bb:short").exit()).isZero();
    Cli.Result r = cli.run("run", "--rm", "-u", "short", "bb:short", "sh", "-c", "id -u; id -g");
    assertThat(r.out()).as(r.toString()).isEqualTo("1234\n0\n");
    Cli.Result g = cli.run("run", "--rm", "-u", "alice:brief", "bb:short", "sh", "-c", "id -u; id -G");
    assertThat(g.out()).as(g.toString()).isEqualTo("1234\n3456\n");
  }

  /** docker: -e KEY unset on the host removes the image's KEY; the same line in an env file leaves it alone. */
  @Test
  void run_bareKeyUnsetOnTheHost_removesTheImagesValue_butNotFromAnEnvFile() throws Exception {
    assertThat(System.getenv("FROM_IMAGE")).isNull();
    Cli.Result flag = cli.run("run", "--rm", "-e", "FROM_IMAGE", "-e", "NOT_SET_ANYWHERE", "bb:1", "sh", "-c",
        "env | grep -E '^(FROM_IMAGE|NOT_SET_ANYWHERE)' || echo none");
    assertThat(flag.out()).as(flag.toString()).isEqualTo("none\n");
    Path envFile = tmp.resolve("bare.env");
    Files.writeString(envFile, "FROM_IMAGE\nNOT_SET_ANYWHERE\n");
    Cli.Result file = cli.run("run", "--rm", "--env-file", envFile.toString(), "bb:1", "sh", "-c",
        "env | grep -E '^(FROM_IMAGE|NOT_SET_ANYWHERE)'");
    assertThat(file.out()).as(file.toString()).isEqualTo("FROM_IMAGE=yes\n");
    // A later -e KEY=VALUE still wins over an earlier bare one, and exec -e KEY removes it from the exec's process.
    Cli.Result d = cli.run("run", "-d", "--name", "d1", "-e", "FROM_IMAGE", "-e", "FROM_IMAGE=again", "bb:1",
        "sleep", "1000");
    assertThat(d.exit()).as(d.toString()).isZero();
    assertThat(cli.run("exec", "d1", "sh", "-c", "echo $FROM_IMAGE").out()).isEqualTo("again\n");
    assertThat(cli.run("exec", "-e", "FROM_IMAGE", "d1", "sh", "-c", "echo ${FROM_IMAGE-unset}").out())
        .isEqualTo("unset\n");
  }

  @Test
  void run_bindMounts_writeToTheHost_andReadOnlyRefuses() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("host"));
    Cli.Result rw = cli.run("run", "--rm", "-v", host + ":/mnt", "bb:1", "sh", "-c", "echo written > /mnt/out");
    assertThat(rw.exit()).as(rw.toString()).isZero();
    assertThat(host.resolve("out")).hasContent("written");
    Cli.Result ro = cli.run("run", "--rm", "-v", host + ":/mnt:ro", "bb:1", "sh", "-c", "echo x > /mnt/other");
    assertThat(ro.exit()).isNotZero();
    assertThat(ro.err()).contains("Read-only file system");
    assertThat(host.resolve("other")).doesNotExist();
  }

  @Test
  void run_namedVolume_isFilledFromTheImageAndKept() throws Exception {
    Cli.Result first = cli.run("run", "--rm", "-v", "vol1:/data", "bb:1", "sh", "-c",
        "cat /data/seed; echo kept > /data/new");
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("from the image\n");
    assertThat(store.resolve("volumes/vol1/_data/new")).hasContent("kept");
    Cli.Result second = cli.run("run", "--rm", "-v", "vol1:/data", "bb:1", "sh", "-c", "rm /data/seed; cat /data/new");
    assertThat(second.out()).isEqualTo("kept\n");
    // A volume that is not empty is never filled again, whatever it lacks.
    assertThat(cli.run("run", "--rm", "-v", "vol1:/data", "bb:1", "ls", "/data").out()).isEqualTo("new\n");

    // As docker, an existing volume that is still empty is filled by the first image with content at its path.
    assertThat(cli.run("run", "--rm", "-v", "vol2:/nothing-here", "bb:1", "true").exit()).isZero();
    assertThat(store.resolve("volumes/vol2/_data")).isEmptyDirectory();
    Cli.Result filled = cli.run("run", "--rm", "-v", "vol2:/data", "bb:1", "cat", "/data/seed");
    assertThat(filled.out()).as(filled.toString()).isEqualTo("from the image\n");
  }

  @Test
  void run_networkNone_seesOnlyLoopback_readOnlyTmpfsAddHost() {
    Cli.Result net = cli.run("run", "--rm", "--network", "none", "bb:1", "sh", "-c",
        "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    assertThat(net.exit()).as(net.toString()).isZero();
    assertThat(net.out()).isEqualTo("lo\n");
    Cli.Result ro = cli.run("run", "--rm", "--read-only", "--tmpfs", "/scratch", "bb:1", "sh", "-c",
        "echo ok > /scratch/f && cat /scratch/f; touch /x");
    assertThat(ro.out()).isEqualTo("ok\n");
    assertThat(ro.err()).contains("Read-only file system");
    Cli.Result hosts = cli.run("run", "--rm", "--add-host", "db.internal:10.1.2.3", "--hostname", "box", "bb:1",
        "sh", "-c", "grep db.internal /etc/hosts; hostname");
    assertThat(hosts.out()).isEqualTo("10.1.2.3\tdb.internal\nbox\n");
  }

  /**
   * On the host network a container has the host's name, as in docker; with no network, its short id. Either way
   * its own /etc/hosts (a writable copy; the host's is untouched) resolves that name, as InetAddress.getLocalHost()
   * needs.
   */
  @Test
  void run_hostnameResolves_inTheContainersOwnWritableHosts() throws Exception {
    String hostHosts = Files.readString(Path.of("/etc/hosts"));
    String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    Cli.Result host = cli.run("run", "--rm", "bb:1", "sh", "-c",
        "hostname; echo $HOSTNAME; grep -cw \"$(hostname)\" /etc/hosts >/dev/null && echo resolves; "
            + "echo '10.9.9.9 added' >> /etc/hosts && grep -c added /etc/hosts");
    assertThat(host.out()).as(host.toString()).isEqualTo(hostName + "\n" + hostName + "\nresolves\n1\n");
    Cli.Result none = cli.run("run", "--rm", "--network", "none", "bb:1", "sh", "-c",
        "hostname; grep -w \"$(hostname)\" /etc/hosts; cat /etc/hostname");
    String id = none.out().lines().findFirst().orElseThrow();
    assertThat(id).matches("[0-9a-f]{12}");
    assertThat(none.out()).as(none.toString()).isEqualTo(id + "\n127.0.1.1\t" + id + "\n" + id + "\n");
    assertThat(Files.readString(Path.of("/etc/hosts"))).isEqualTo(hostHosts);
  }

  @Test
  void commit_layerHoldsExactlyTheChange() throws Exception {
    Cli.Result r = cli.run("run", "--name", "c1", "bb:1", "sh", "-c", "echo data > /newfile; rm /etc/group; mkdir /d");
    assertThat(r.exit()).as(r.toString()).isZero();
    Cli.Result c = cli.run("commit", "-m", "my change", "c1", "bb:2");
    assertThat(c.exit()).as(c.toString()).isZero();
    try (Store s = Store.open(store)) {
      Descriptor d = s.images().resolve("bb:2").orElseThrow();
      StoredImages.StoredImage img = StoredImages.read(s.blobs(), d, Platform.host(), "bb:2");
      List<Descriptor> layers = img.manifest().layers();
      assertThat(layers).hasSize(2);
      Path blob = store.resolve("blobs/sha256").resolve(layers.get(1).digest().hex());
      assertThat(TarListing.names(blob)).containsExactlyInAnyOrder("d", "etc", "etc/.wh.group", "newfile");
      assertThat(TarListing.content(blob, "newfile")).isEqualTo("data\n");
      assertThat(img.config().config().workingDir()).isEqualTo("/srv");
    }
    Cli.Result again = cli.run("run", "--rm", "bb:2", "sh", "-c", "cat /newfile; test -e /etc/group || echo gone");
    assertThat(again.out()).isEqualTo("data\ngone\n");
    Cli.Result rmi = cli.run("rmi", "bb:1");
    assertThat(rmi.exit()).isNotZero();
    assertThat(rmi.err()).contains("must force");
  }

  /** As docker commit: a running container is frozen while its writable layer is read, then runs on. */
  @Test
  void commit_runningContainer_isFrozenWhileRead_thenRunsOn() throws Exception {
    Cli.Result d = cli.run("run", "-d", "--name", "e1", "bb:1", "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.02; done");
    assertThat(d.exit()).as(d.toString()).isZero();
    Path count = store.resolve("containers").resolve(d.out().strip()).resolve("upper/count");
    for (int i = 0; i < 200 && !Files.exists(count); i++) {
      Thread.sleep(10);
    }
    try (Store s = Store.open(store)) {
      dev.jbuild.runtime.ContainerRuntime runtime = dev.jbuild.runtime.ContainerRuntime.open(s);
      dev.jbuild.runtime.ContainerRecord r = dev.jbuild.runtime.ContainerStore.of(s).find("e1");
      assertThat(runtime.pause(r)).isTrue();
      String frozen = Files.readString(count);
      Thread.sleep(300);
      assertThat(Files.readString(count)).as("the counter while frozen").isEqualTo(frozen);
      runtime.resume(r);
      Thread.sleep(300);
      assertThat(Files.readString(count)).as("the counter once thawed").isNotEqualTo(frozen);
    }
    Cli.Result c = cli.run("commit", "e1", "bb:3");
    assertThat(c.exit()).as(c.toString()).isZero();
    assertThat(c.err()).doesNotContain("cannot pause");
    assertThat(cli.run("ps").out()).contains("e1").contains("Up ");
    String before = Files.readString(count);
    Thread.sleep(300);
    assertThat(Files.readString(count)).as("running on after the commit").isNotEqualTo(before);
    Cli.Result committed = cli.run("run", "--rm", "bb:3", "cat", "/count");
    assertThat(committed.out().strip()).matches("[0-9]+");
    assertThat(cli.run("commit", "--pause=false", "e1", "bb:4").exit()).isZero();
  }

  @Test
  void detached_stopSendsTheImagesStopSignal_logsKeepTheOutput() throws Exception {
    Cli.Result d = cli.run("run", "-d", "--name", "d1", "bb:1", "sh", "-c",
        "trap 'echo got USR1; exit 5' USR1; echo ready; while true; do sleep 0.1; done");
    assertThat(d.exit()).as(d.toString()).isZero();
    assertThat(d.out().strip()).matches("[0-9a-f]{64}");
    assertThat(cli.run("ps").out()).contains("d1").contains("Up ");
    Cli.Result exec = cli.run("exec", "-e", "X=1", "-u", "alice", "d1", "sh", "-c", "echo $X $(id -u); exit 4");
    assertThat(exec.exit()).as(exec.toString()).isEqualTo(4);
    assertThat(exec.out()).isEqualTo("1 1234\n");
    Cli.Result stop = cli.run("stop", "-t", "20", "d1");
    assertThat(stop.exit()).as(stop.toString()).isZero();
    assertThat(cli.run("ps", "-a").out()).contains("Exited (5)");
    assertThat(cli.run("logs", "d1").out()).isEqualTo("ready\ngot USR1\n");
    assertThat(cli.run("start", "d1").exit()).isZero();
    assertThat(cli.run("stop", "d1").exit()).isZero();
    assertThat(cli.run("logs", "d1").out()).isEqualTo("ready\ngot USR1\nready\ngot USR1\n");
  }

  /**
   * docker builds an exec's groups from scratch: the given group alone, or the named user's groups in the image.
   * runc exec --additional-gids adds to the container's groups, so exec -u used to keep root's group 0.
   */
  @Test
  void exec_asAnotherUser_getsThatUsersGroupsOnly_andTheContainersCapabilities() throws Exception {
    Path tar = BusyboxRootfs.tar(tmp.resolve("img-groups"),
        root -> Files.writeString(root.resolve("etc/group"), "extra:x:3456:alice\n", StandardOpenOption.APPEND));
    assertThat(cli.run("import", tar.toString(), "bb:groups").exit()).isZero();
    Cli.Result asRoot = cli.run("run", "-d", "--name", "d1", "bb:groups", "sleep", "1000");
    assertThat(asRoot.exit()).as(asRoot.toString()).isZero();
    Cli.Result asAlice = cli.run("run", "-d", "--name", "e1", "-u", "alice", "bb:groups", "sleep", "1000");
    assertThat(asAlice.exit()).as(asAlice.toString()).isZero();
    for (String c : List.of("d1", "e1")) {
      Cli.Result numeric = cli.run("exec", "-u", "4242:4242", c, "sh", "-c", "id -u; id -g; id -G");
      assertThat(numeric.out()).as(numeric.toString()).isEqualTo("4242\n4242\n4242\n");
      Cli.Result named = cli.run("exec", "-u", "alice", c, "id", "-G");
      assertThat(named.out()).as(named.toString()).isEqualTo("2345 3456\n");
      Cli.Result nobody = cli.run("exec", "-u", "nobody", c, "id", "-G");
      assertThat(nobody.out()).as(nobody.toString()).isEqualTo("65534\n");
    }
    assertThat(cli.run("exec", "d1", "id", "-G").out()).isEqualTo("0\n");
    assertThat(cli.run("exec", "e1", "id", "-G").out()).isEqualTo("2345 3456\n");
    // As root, the exec has the container's process's capabilities and no-new-privileges, nothing more.
    Cli.Result caps = cli.run("exec", "d1", "sh", "-c",
        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status; echo --;"
            + " grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/1/status");
    assertThat(caps.exit()).as(caps.toString()).isZero();
    String[] halves = caps.out().split("--\n");
    assertThat(halves[0]).contains("NoNewPrivs:\t1").contains("CapInh:\t0000000000000000").isEqualTo(halves[1]);
    // The exec's -e replaces the container's value instead of adding a second entry.
    Cli.Result env = cli.run("exec", "-e", "HOSTNAME=over", "d1", "sh", "-c",
        "env | grep -c '^HOSTNAME='; echo $HOSTNAME");
    assertThat(env.out()).as(env.toString()).isEqualTo("1\nover\n");
  }

  /** docker run -dt: the container gets a terminal, its output goes to the log, and -dit sh keeps running. */
  @Test
  void detached_tty_getsAPty_outputInTheLogs_andStaysOpen() throws Exception {
    Cli.Result d = cli.run("run", "-d", "-t", "--name", "d1", "bb:1", "sh", "-c",
        "tty; echo $TERM; test -t 0 && echo stdin-is-a-tty; sleep 0.5; exit 3");
    assertThat(d.exit()).as(d.toString()).isZero();
    for (int i = 0; i < 100 && !cli.run("ps", "-a").out().contains("Exited"); i++) {
      Thread.sleep(100);
    }
    assertThat(cli.run("ps", "-a").out()).contains("Exited (3)");
    Cli.Result logs = cli.run("logs", "d1");
    assertThat(logs.out().replace("\r", "")).as(logs.toString()).isEqualTo("/dev/pts/0\nxterm\nstdin-is-a-tty\n");
    // -dit sh: the shell waits on its terminal (never at end of input) until stopped.
    Cli.Result sh = cli.run("run", "-dit", "--name", "e1", "bb:1", "sh");
    assertThat(sh.exit()).as(sh.toString()).isZero();
    Thread.sleep(1000);
    assertThat(cli.run("ps").out()).contains("e1").contains("Up ");
    assertThat(cli.run("exec", "e1", "sh", "-c", "readlink /proc/1/fd/0").out()).isEqualTo("/dev/pts/0\n");
    assertThat(cli.run("stop", "-t", "1", "e1").exit()).isZero();
    assertThat(cli.run("ps", "-a").out()).doesNotContain("Up ");
  }

  @Test
  void startAttached_rerunsOverTheKeptWritableLayer() {
    Cli.Result first = cli.run("run", "--name", "c1", "bb:1", "sh", "-c", "echo x >> /count; wc -l < /count");
    assertThat(first.out()).isEqualTo("1\n");
    Cli.Result again = cli.run("start", "-a", "c1");
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).isEqualTo("2\n");
    assertThat(cli.run("logs", "c1").out()).isEqualTo("1\n2\n");
  }

  @Test
  void kill_sendsTheGivenSignal_andRmForceRemovesARunningContainer() throws Exception {
    assertThat(cli.run("run", "-d", "--name", "e1", "bb:1", "sh", "-c",
        "trap 'exit 9' HUP; while true; do sleep 0.1; done").exit()).isZero();
    Cli.Result rm = cli.run("rm", "e1");
    assertThat(rm.exit()).isNotZero();
    assertThat(rm.err()).contains("is running");
    assertThat(cli.run("kill", "-s", "HUP", "e1").exit()).isZero();
    for (int i = 0; i < 100 && cli.run("ps", "-q").out().length() > 0; i++) {
      Thread.sleep(100);
    }
    assertThat(cli.run("ps", "-a").out()).contains("Exited (9)");
    assertThat(cli.run("rm", "e1").exit()).isZero();
    assertThat(cli.run("run", "-d", "--name", "e1", "bb:1", "sleep", "1000").exit()).isZero();
    assertThat(cli.run("rm", "-f", "e1").exit()).isZero();
    assertThat(cli.run("ps", "-a", "-q").out()).isEmpty();
  }

  @Test
  void run_noJvmFdLeaksIntoTheContainer() {
    Cli.Result r = cli.run("run", "--rm", "bb:1", "ls", "/proc/self/fd");
    List<Integer> fds = Stream.of(r.out().trim().split("\\s+")).map(Integer::parseInt).collect(Collectors.toList());
    assertThat(fds).contains(0, 1, 2).allMatch(fd -> fd <= 3);
  }
}
