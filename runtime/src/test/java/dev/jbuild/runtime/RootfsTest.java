package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsTest {
  @TempDir Path parameters;

  @Test
  void offFeatures_turnsOffWhatTheKernelTurnedOnByDefault() throws Exception {
    Files.writeString(parameters.resolve("redirect_dir"), "Y\n");
    Files.writeString(parameters.resolve("metacopy"), "N\n");
    Files.writeString(parameters.resolve("nfs_export"), "Y\n");
    // index: absent, as on a kernel without it
    assertThat(Rootfs.offFeatures(parameters)).isEqualTo(",redirect_dir=off,nfs_export=off");
  }

  @Test
  void offFeatures_moduleNotLoaded_addsNothing() {
    assertThat(Rootfs.offFeatures(parameters.resolve("missing"))).isEmpty();
  }
}
