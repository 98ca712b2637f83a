package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.store.tar.LayerEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainersTest {
  private static final Instant T = Instant.EPOCH;

  @Test
  void mergeEnv_specOverridesImageByKey_keepsImageOrder() {
    ContainerConfig image = ContainerConfig.EMPTY.withEnv("PATH", "/bin").withEnv("A", "1");
    assertThat(Containers.mergeEnv(image, List.of("A=2", "B=3"))).containsExactly("PATH=/bin", "A=2", "B=3");
  }

  @Test
  void missingMountPoints_onlyPathsAbsentFromTheRoot(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/hosts"), "x");
    Set<String> missing = Containers.missingMountPoints(root, OciBundle.config(ContainerSpec.of(List.of("true"))));
    assertThat(missing).contains("dev", "sys").doesNotContain("proc", "etc/hosts");
  }

  @Test
  void withoutEmptyMountPoints_dropsEmptyCreatedOnes_keepsFilledOnesAndOthers() {
    List<LayerEntry> changes = List.of(
        LayerEntry.directory("dev", 0755, 0, 0, T),
        LayerEntry.directory("etc", 0755, 0, 0, T),
        LayerEntry.file("etc/hosts", Path.of("/dev/null"), 0, 0644, 0, 0, T),
        LayerEntry.directory("proc", 0755, 0, 0, T),
        LayerEntry.file("proc/kept", Path.of("/dev/null"), 0, 0644, 0, 0, T),
        LayerEntry.file("new", Path.of("/dev/null"), 0, 0644, 0, 0, T));
    List<LayerEntry> kept = Containers.withoutEmptyMountPoints(changes, Set.of("dev", "etc/hosts", "proc"),
        Map.of("etc", "0:0:755"));
    assertThat(kept).extracting(LayerEntry::path).containsExactly("proc", "proc/kept", "new");
  }

  @Test
  void withoutEmptyMountPoints_parentWithChangedMode_isKept() {
    List<LayerEntry> changes = List.of(
        LayerEntry.directory("etc", 0700, 0, 0, T),
        LayerEntry.file("etc/hosts", Path.of("/dev/null"), 0, 0644, 0, 0, T));
    assertThat(Containers.withoutEmptyMountPoints(changes, Set.of("etc/hosts"), Map.of("etc", "0:0:755")))
        .extracting(LayerEntry::path).containsExactly("etc");
  }
}
