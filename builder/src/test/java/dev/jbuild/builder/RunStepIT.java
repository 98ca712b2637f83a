package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.testing.ImageValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RUN steps with the real runc and overlayfs, as root: forms, SHELL, heredocs, network, users, layers, history. */
class RunStepIT {
  @TempDir Path tmp;
  private RunFixture r;

  @BeforeEach
  void setUp() throws Exception {
    r = new RunFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    r.close();
  }

  @Test
  void run_shellAndExecForms_eachWriteTheirOwnLayer() throws Exception {
    BuildResult b = r.build("FROM busybox:test\n"
        + "RUN echo shell-$((1+2)) > /shell.txt && echo printed\n"
        + "RUN [\"/bin/touch\", \"/exec-$HOME\"]\n");
    Manifest m = r.manifest(b);
    assertThat(m.layers()).hasSize(3);
    assertThat(r.layer(m.layers().get(1)).get("shell.txt").content()).isEqualTo("shell-3\n");
    // The exec form runs no shell, so $HOME stays as typed.
    assertThat(r.layer(m.layers().get(2)).keySet()).containsExactly("exec-$HOME");
    assertThat(r.output()).containsExactly("printed");
    ImageValidator.validate(r.f.store.blobs(), b.manifest());
  }

  @Test
  void shell_instruction_runsLaterShellFormRunsThroughIt() throws Exception {
    r.build("FROM busybox:test\nRUN echo before\nSHELL [\"/bin/echo\", \"via-echo\"]\nRUN hello world\n");
    assertThat(r.output()).containsExactly("before", "via-echo hello world");
  }

  @Test
  void heredoc_scriptAndShebangAndSeveralDocs_runAsBuildKitDoes() throws Exception {
    BuildResult b = r.build("FROM busybox:test\n"
        + "RUN <<EOF\n"
        + "echo one > /h1\n"
        + "echo two >> /h1\n"
        + "EOF\n"
        + "RUN <<EOF\n"
        + "#!/bin/cat\n"
        + "this line is no shell command\n"
        + "EOF\n"
        + "RUN cat <<A > /first && cat <<'B' > /second\n"
        + "first $HOME\n"
        + "A\n"
        + "second $HOME\n"
        + "B\n");
    Map<String, BuildFixture.Entry> fs = r.flattened(b);
    assertThat(fs.get("h1").content()).isEqualTo("one\ntwo\n");
    // A shebang script is executed directly: cat prints it, where sh would fail on the second line.
    assertThat(r.output()).containsExactly("#!/bin/cat", "this line is no shell command");
    // An unquoted delimiter lets the shell expand the body; a quoted one keeps it literal.
    assertThat(fs.get("first").content()).isEqualTo("first /root\n");
    assertThat(fs.get("second").content()).isEqualTo("second $HOME\n");
    // The directly executed script leaves nothing behind in the image.
    assertThat(fs.keySet()).noneMatch(p -> p.startsWith("dev/pipes"));
  }

  @Test
  void run_networkNone_seesOnlyLoopback() throws Exception {
    r.build("FROM busybox:test\nRUN --network=none cat /proc/net/dev\n");
    assertThat(interfaces(r.output())).containsExactly("lo");
  }

  @Test
  void run_networkHostAndDefault_seeTheHostInterfaces() throws Exception {
    Set<String> host = interfaces(Files.readAllLines(Path.of("/proc/net/dev")));
    r.build("FROM busybox:test\nRUN --network=host cat /proc/net/dev\n");
    assertThat(interfaces(r.output())).isEqualTo(host).hasSizeGreaterThan(1);
    r.build("FROM busybox:test\nRUN cat /proc/net/dev && echo default\n");
    assertThat(interfaces(r.output())).isEqualTo(host);
  }

  private static Set<String> interfaces(List<String> procNetDev) {
    return procNetDev.stream().filter(l -> l.contains(":")).map(l -> l.substring(0, l.indexOf(':')).strip())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void run_envAndArgs_areInTheEnvironment_envWinsOverArg() throws Exception {
    r.build("FROM busybox:test\nARG A=default\nARG SAME=from-arg\nENV B=env-b SAME=from-env\n"
        + "RUN echo \"A=$A B=$B SAME=$SAME\"\n", o -> o.buildArg("A", "given"));
    assertThat(r.output()).containsExactly("A=given B=env-b SAME=from-env");
  }

  @Test
  void run_userByName_runsWithItsUidAndGid_andFilesBelongToIt() throws Exception {
    BuildResult b = r.build("FROM busybox:test\nUSER app\nRUN id && touch /tmp/mine\n");
    assertThat(r.output()).containsExactly("uid=1000(app) gid=1000(app) groups=1000(app)");
    BuildFixture.Entry mine = r.lastLayer(b).get("tmp/mine");
    assertThat(mine.uid()).isEqualTo(1000);
    assertThat(mine.gid()).isEqualTo(1000);
  }

  @Test
  void run_userWithGroup_usesThatGroup() throws Exception {
    r.build("FROM busybox:test\nUSER app:nogroup\nRUN id -u && id -g && id -G\n");
    assertThat(r.output()).containsExactly("1000", "65534", "65534");
  }

  @Test
  void run_unknownUser_failsNamingIt() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nUSER ghost\nRUN true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:3: ")
        .hasMessageContaining("unable to find user ghost");
  }

  @Test
  void workdir_missing_isCreatedAndRunStartsThere() throws Exception {
    BuildResult b = r.build("FROM busybox:test\nWORKDIR /srv/new\nRUN pwd > here\n");
    Map<String, BuildFixture.Entry> fs = r.flattened(b);
    assertThat(fs.get("srv/new").directory()).isTrue();
    assertThat(fs.get("srv/new/here").content()).isEqualTo("/srv/new\n");
  }

  @Test
  void run_removingFiles_writesWhiteouts_andTheImageLacksThem() throws Exception {
    BuildResult b = r.build("FROM busybox:test\nRUN rm /etc/group && rm -r /home/app\n"
        + "RUN rm -r /root && mkdir /root && echo new > /root/only\n");
    Manifest m = r.manifest(b);
    assertThat(r.layer(m.layers().get(1)).keySet()).contains("etc/.wh.group", "home/.wh.app");
    Map<String, BuildFixture.Entry> third = r.layer(m.layers().get(2));
    // A directory removed and made again is opaque: nothing of the lower one shows through.
    assertThat(third.keySet()).contains("root/", "root/.wh..wh..opq", "root/only");
    Map<String, BuildFixture.Entry> fs = r.flattened(b);
    assertThat(fs).doesNotContainKeys("etc/group", "home/app").containsKeys("etc/passwd", "home", "root/only");
    assertThat(fs.keySet().stream().filter(p -> p.startsWith("root/"))).containsExactly("root/only");
    ImageValidator.validate(r.f.store.blobs(), b.manifest());
  }

  @Test
  void run_chownToAnotherUid_keepsTheOwnerInTheLayer() throws Exception {
    BuildResult b = r.build("FROM busybox:test\nRUN touch /owned && busybox chown 1234:5678 /owned "
        + "&& busybox chmod 4750 /owned\n");
    BuildFixture.Entry owned = r.lastLayer(b).get("owned");
    assertThat(owned.uid()).isEqualTo(1234);
    assertThat(owned.gid()).isEqualTo(5678);
    assertThat(owned.mode()).isEqualTo(04750);
  }

  @Test
  void onbuild_triggersOfTheBase_runInTheChildOnly() throws Exception {
    r.file("a.txt", "from the child's context\n");
    BuildResult parent = r.build("FROM busybox:test\nONBUILD RUN echo triggered > /trig\nONBUILD COPY a.txt /\n",
        o -> o.tag("parent:1"));
    assertThat(r.output()).isEmpty();
    assertThat(r.manifest(parent).layers()).hasSize(1);
    assertThat(r.config(parent).config().onBuild()).hasSize(2);
    BuildResult child = r.build("FROM parent:1\nRUN cat /trig /a.txt\n");
    assertThat(r.output()).containsExactly("triggered", "from the child's context");
    assertThat(r.flattened(child)).containsKeys("trig", "a.txt");
    assertThat(r.config(child).config().onBuild()).isEmpty();
  }

  /** A failing trigger is reported at the child's FROM line and names itself, not at its line in the base's file. */
  @Test
  void onbuild_failingTrigger_isReportedAtTheFromLine_namingTheTrigger() throws Exception {
    r.build("FROM busybox:test\nONBUILD COPY missing.txt /x\n", o -> o.tag("copies:1"));
    assertThatThrownBy(() -> r.build("# child\n\nFROM copies:1\nRUN true\n", o -> o.tag("never:1")))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:3 (ONBUILD COPY missing.txt /x, from the base image): ")
        .hasMessageContaining("missing.txt");
    r.build("FROM busybox:test\nENV A=1\nONBUILD RUN exit 7\n", o -> o.tag("fails:1"));
    assertThatThrownBy(() -> r.build("FROM fails:1\n", o -> o.tag("never:1")))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:1 (ONBUILD RUN exit 7, from the base image): ")
        .hasMessageContaining("exit code: 7");
    assertThat(r.f.store.images().resolve("never:1")).isEmpty();
  }

  @Test
  void entrypoint_afterRun_resetsInheritedCmd_keepsOwnCmd_alsoFromTheCache() throws Exception {
    ContainerConfig inherited = r.config(r.build("FROM busybox:test\nRUN true\nENTRYPOINT [\"/bin/echo\"]\n"))
        .config();
    assertThat(inherited.cmd()).isNull();
    String own = "FROM busybox:test\nCMD [\"kept\"]\nRUN true\nENTRYPOINT [\"/bin/echo\"]\n";
    assertThat(r.config(r.build(own)).config().cmd()).containsExactly("kept");
    ContainerConfig cached = r.config(r.build(own)).config();
    assertThat(r.finished()).filteredOn(e -> e.instruction().startsWith("CMD")).allMatch(e -> e.cached());
    assertThat(cached.cmd()).containsExactly("kept");
    assertThat(cached.entrypoint()).containsExactly("/bin/echo");
  }

  @Test
  void history_stepsWithoutChanges_areEmptyLayers() throws Exception {
    BuildResult b = r.build("FROM busybox:test\nENV A=1\nRUN true\nRUN touch /x\nWORKDIR /tmp\n");
    ImageConfig c = r.config(b);
    List<ImageConfig.HistoryEntry> h = c.history();
    assertThat(h).extracting(ImageConfig.HistoryEntry::createdBy)
        .containsExactly("jbuild test fixture: busybox-static", "ENV A=1", "RUN true", "RUN touch /x", "WORKDIR /tmp");
    assertThat(h).extracting(ImageConfig.HistoryEntry::emptyLayer).containsExactly(false, true, true, false, true);
    assertThat(c.diffIds()).hasSize(2);
    assertThat(r.manifest(b).layers()).hasSize(2);
    ImageValidator.validate(r.f.store.blobs(), b.manifest());
  }

  @Test
  void run_failing_namesLineCommandExitCodeAndLastLines_andTagsNothing() throws Exception {
    assertThatThrownBy(() -> r.build("FROM busybox:test\n\nRUN busybox seq 1 30 && exit 3\n", o -> o.tag("never:1")))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:3: process \"/bin/sh -c busybox seq 1 30 && exit 3\" did not complete "
            + "successfully: exit code: 3")
        .hasMessageContaining("\n  11\n")
        .hasMessageEndingWith("\n  30")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n  10\n"));
    assertThat(r.f.store.images().resolve("never:1")).isEmpty();
    assertThat(r.output()).hasSize(30);
  }

  @Test
  void run_cancelledWhileRunning_stopsTheContainer_andLeavesNoMountBehind() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<BuildResult> build = pool.submit(
          () -> r.build("FROM busybox:test\nRUN echo started && sleep 60\n", o -> o.tag("never:1")));
      for (int i = 0; i < 600 && !r.output().contains("started"); i++) {
        Thread.sleep(50);
      }
      assertThat(r.output()).containsExactly("started");
      build.cancel(true);
      pool.shutdown();
      // Far less than the 60 s the command would sleep: the interrupt ended the run.
      assertThat(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(r.f.store.images().resolve("never:1")).isEmpty();
    Path runcState = r.f.store.root().resolve("runc");
    if (Files.isDirectory(runcState)) {
      assertThat(runcState).as("runc containers left").isEmptyDirectory();
    }
  }

  @Test
  void run_onScratchWithoutAShell_failsNamingTheLineAndTheMissingShell_andTagsNothing() throws Exception {
    assertThatThrownBy(() -> r.build("FROM scratch\nRUN echo hi\n", o -> o.tag("never:1")))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2: process \"/bin/sh -c echo hi\" did not complete successfully")
        .hasMessageContaining("/bin/sh");
    assertThat(r.f.store.images().list()).extracting(t -> t.name()).containsExactly(RunFixture.BASE);
  }
}
