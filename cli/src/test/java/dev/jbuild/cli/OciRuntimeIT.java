package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.runtime.CgroupLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN steps under the OCI runtime {@code JBUILD_OCI_RUNTIME} picks, through the launcher, as root: crun must make
 * the very image runc makes.
 *
 * <p>crun 1.8 refuses a hybrid cgroup host whose v2 hierarchy holds a controller, which this project's CI machine is
 * (hugetlb on v2). So the crun build goes through a wrapper that runs the real {@code /usr/bin/crun} in a private
 * mount namespace without {@code /sys/fs/cgroup/unified}, where crun sees a legacy (v1) host, which it supports; on
 * a host whose cgroups crun takes as they are, the unmount fails harmlessly and crun runs unchanged.
 */
class OciRuntimeIT {
  private static final Path REPO = Processes.repoRoot();
  private static final String LAUNCHER = REPO.resolve("jbuild").toString();
  private static final String EPOCH = "1700000000";

  @TempDir Path tmp;
  private Path store;
  private Path context;

  @BeforeEach
  void baseImageAndContext() throws Exception {
    store = tmp.resolve("store");
    Path tar = BusyboxRootfs.tar(tmp.resolve("img"));
    Processes.Output imported = jbuild(Map.of(), "import", "-c", "CMD [\"sh\"]", tar.toString(), "bb:1");
    assertThat(imported.exit()).as(imported.toString()).isZero();
    context = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(context.resolve("Dockerfile"), String.join("\n",
        "FROM bb:1",
        "RUN mkdir -p /d && echo one > /d/a && echo two > /d/b && ln -s a /d/link && ln /d/a /d/hard",
        "RUN rm /d/b && id -u > /d/uid && echo \"$HOSTNAME $(cat /proc/1/cmdline | tr '\\0' ' ')\" > /d/proc",
        ""));
  }

  private Processes.Output jbuild(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(LAUNCHER, "--root", store.toString()));
    cmd.addAll(List.of(args));
    Map<String, String> all = new HashMap<>(env);
    all.put("SOURCE_DATE_EPOCH", EPOCH);
    return Processes.run(cmd, all, tmp);
  }

  @Test
  void crun_makesTheImageRuncMakes() throws Exception {
    Processes.Output byRunc = jbuild(Map.of(), "build", "-q", "-t", "by-runc:1", context.toString());
    assertThat(byRunc.exit()).as(byRunc.toString()).isZero();

    Path calls = tmp.resolve("crun-calls");
    Path wrapper = tmp.resolve("crun-legacy-view");
    Files.writeString(wrapper, String.join("\n",
        "#!/bin/sh",
        "echo \"$*\" >> '" + calls + "'",
        "exec unshare --mount --propagation private sh -c "
            + "'umount /sys/fs/cgroup/unified 2>/dev/null; exec /usr/bin/crun \"$@\"' crun \"$@\"",
        ""));
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Processes.Output byCrun = jbuild(Map.of("JBUILD_OCI_RUNTIME", wrapper.toString()),
        "build", "-q", "--no-cache", "-t", "by-crun:1", context.toString());
    assertThat(byCrun.exit()).as(byCrun.toString()).isZero();

    assertThat(Files.readAllLines(calls)).as("crun ran both steps").filteredOn(l -> l.contains(" run --bundle "))
        .hasSize(2);
    assertThat(store.resolve("crun")).as("crun's state is kept apart from runc's").isDirectory();
    // Same layers (the whiteout of /d/b, the symlink, the hard link, what the process saw) and the same config.
    assertThat(byCrun.out().strip()).startsWith("sha256:").isEqualTo(byRunc.out().strip());
  }

  @Test
  void crunAskedFor_runsWhereTheCgroupsAllowIt_andIsRefusedUpFrontElsewhere() throws Exception {
    Processes.Output out = jbuild(Map.of("JBUILD_OCI_RUNTIME", "crun"), "build", "-q", "-t", "forced:1",
        context.toString());
    CgroupLayout here = CgroupLayout.detect();
    if (here.crunCanRun()) {
      assertThat(out.exit()).as(out.toString()).isZero();
      return;
    }
    assertThat(out.exit()).as(out.toString()).isNotZero();
    assertThat(out.err()).contains("Dockerfile:2", "JBUILD_OCI_RUNTIME=crun, but crun cannot run containers with "
        + "this host's " + here + " cgroups; unset JBUILD_OCI_RUNTIME (or set it to auto) to use runc");
    Processes.Output images = jbuild(Map.of(), "images");
    assertThat(images.out()).doesNotContain("forced");
  }

  @Test
  void aRuntimeNamedWrongly_isRefusedBeforeAnythingRuns() throws Exception {
    Processes.Output out = jbuild(Map.of("JBUILD_OCI_RUNTIME", "kata"), "build", "-q", "-t", "typo:1",
        context.toString());
    assertThat(out.exit()).as(out.toString()).isNotZero();
    assertThat(out.err()).contains("JBUILD_OCI_RUNTIME=kata is not runc, crun, auto or the absolute path of an OCI "
        + "runtime").doesNotContain("Dockerfile:");
    assertThat(store.resolve("crun")).doesNotExist();
    assertThat(store.resolve("runc")).doesNotExist();
  }
}
