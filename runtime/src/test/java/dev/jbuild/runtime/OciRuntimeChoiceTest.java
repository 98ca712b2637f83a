package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which OCI runtime RUN steps get ({@link Runc#forSteps}), and the cgroup layouts crun can run on. */
class OciRuntimeChoiceTest {
  private static final String V1 = "25 24 0:22 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory";
  private static final String TMPFS = "24 30 0:21 / /sys/fs/cgroup rw,nosuid shared:8 - tmpfs tmpfs rw,mode=755";
  private static final String UNIFIED_BESIDE =
      "33 24 0:28 / /sys/fs/cgroup/unified rw,nosuid shared:13 - cgroup2 cgroup2 rw,nsdelegate";
  private static final String UNIFIED_ONLY =
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate";

  private static final CgroupLayout HYBRID_WITH_HUGETLB =
      new CgroupLayout(CgroupLayout.Mode.HYBRID, List.of("hugetlb"));
  private static final CgroupLayout UNIFIED = new CgroupLayout(CgroupLayout.Mode.UNIFIED, List.of());

  @TempDir Path tmp;

  @Test
  void mode_readsTheThreeLayoutsFromMountinfo() {
    assertThat(CgroupLayout.mode(List.of(UNIFIED_ONLY))).isEqualTo(CgroupLayout.Mode.UNIFIED);
    assertThat(CgroupLayout.mode(List.of(TMPFS, V1, UNIFIED_BESIDE))).isEqualTo(CgroupLayout.Mode.HYBRID);
    assertThat(CgroupLayout.mode(List.of(TMPFS, V1))).isEqualTo(CgroupLayout.Mode.LEGACY);
    // Optional fields before the separator, and a cgroup2 elsewhere (a container's own view), change nothing.
    assertThat(CgroupLayout.mode(List.of(TMPFS,
        "40 24 0:30 / /sys/fs/cgroup/unified\\040x rw shared:2 master:1 - cgroup2 cgroup2 rw", "garbage")))
        .isEqualTo(CgroupLayout.Mode.LEGACY);
  }

  @Test
  void crunRuns_onUnifiedAndLegacy_andOnHybridOnlyWithoutV2Controllers() {
    assertThat(UNIFIED.crunCanRun()).isTrue();
    assertThat(new CgroupLayout(CgroupLayout.Mode.LEGACY, List.of()).crunCanRun()).isTrue();
    assertThat(new CgroupLayout(CgroupLayout.Mode.HYBRID, CgroupLayout.controllers("\n")).crunCanRun()).isTrue();
    assertThat(new CgroupLayout(CgroupLayout.Mode.HYBRID, CgroupLayout.controllers("hugetlb\n")))
        .isEqualTo(HYBRID_WITH_HUGETLB)
        .satisfies(l -> assertThat(l.crunCanRun()).isFalse())
        .hasToString("hybrid (cgroup v2 holds hugetlb)");
  }

  @Test
  void runcByDefault_withoutLookingAtTheCgroups() throws Exception {
    Supplier<CgroupLayout> unread = () -> {
      throw new AssertionError("the cgroups were read for runc");
    };
    for (String setting : new String[] {null, "", "runc", " runc "}) {
      Runc r = Runc.forSteps(tmp, setting, unread);
      assertThat(r.binary().getFileName()).hasToString("runc");
      assertThat(Runc.problemWith(setting)).isNull();
    }
  }

  @Test
  void auto_takesCrunWhereTheCgroupsAllowIt_elseRunc() throws Exception {
    assertThat(Runc.forSteps(tmp, "auto", () -> HYBRID_WITH_HUGETLB).binary()).hasFileName("runc");
    // scripts/install-deps installs crun (Debian's package puts it in /usr/bin).
    assertThat(Runc.forSteps(tmp, "auto", () -> UNIFIED).binary()).isEqualTo(Path.of("/usr/bin/crun"));
  }

  @Test
  void crun_whereTheCgroupsForbidIt_isRefusedWithTheLayoutAndTheWayOut() throws Exception {
    assertThatThrownBy(() -> Runc.forSteps(tmp, "crun", () -> HYBRID_WITH_HUGETLB))
        .isInstanceOf(ContainerException.class)
        .hasMessage("JBUILD_OCI_RUNTIME=crun, but crun cannot run containers with this host's hybrid (cgroup v2 "
            + "holds hugetlb) cgroups; unset JBUILD_OCI_RUNTIME (or set it to auto) to use runc");
    assertThat(Runc.forSteps(tmp, "crun", () -> UNIFIED).binary()).isEqualTo(Path.of("/usr/bin/crun"));
  }

  @Test
  void aPath_isTakenAsARuntimeWithRuncsCommandLine_andAnythingElseIsRefused() throws Exception {
    Path wrapper = Files.createFile(tmp.resolve("my-crun"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    assertThat(Runc.forSteps(tmp, wrapper.toString(), () -> HYBRID_WITH_HUGETLB).binary()).isEqualTo(wrapper);
    assertThat(Runc.problemWith(wrapper.toString())).isNull();

    assertThat(Runc.problemWith("kata"))
        .isEqualTo("JBUILD_OCI_RUNTIME=kata is not runc, crun, auto or the absolute path of an OCI runtime");
    assertThat(Runc.problemWith("bin/runc")).contains("is not runc, crun, auto or the absolute path");
    assertThat(Runc.problemWith(tmp.resolve("missing").toString()))
        .isEqualTo("JBUILD_OCI_RUNTIME=" + tmp.resolve("missing") + ": there is no executable there");
    assertThat(Runc.problemWith(tmp.toString())).endsWith(": there is no executable there");
    assertThatThrownBy(() -> Runc.forSteps(tmp, "kata", () -> UNIFIED))
        .isInstanceOf(ContainerException.class).hasMessageContaining("JBUILD_OCI_RUNTIME=kata is not runc");
  }
}
