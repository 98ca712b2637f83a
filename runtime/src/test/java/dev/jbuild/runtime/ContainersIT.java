package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.Store;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.testing.BaseImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs busybox containers with the real runc and overlayfs, as root. */
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
        });
    assertThat(r.exitCode()).isZero();
    assertThat(seen.toString()).isEqualTo("content\n");
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
  void run_missingCommand_failsWithNonZeroAndCleansUp() throws Exception {
    RunResult r = run(ContainerSpec.of(List.of("/no/such/binary")), false);
    assertThat(r.exitCode()).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("/no/such/binary");
  }
}
