package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which foreign platforms RUN can execute, from a binfmt_misc directory laid out as the kernel does. */
class HostEmulationTest {
  private static final Platform AMD64 = Platform.of("linux", "amd64");
  private static final Platform ARM64 = Platform.of("linux", "arm64");

  @TempDir Path binfmt;

  @Test
  void refusal_nativePlatformOrOtherVariant_none() {
    assertThat(HostEmulation.refusal(AMD64, AMD64, binfmt)).isEmpty();
    assertThat(HostEmulation.refusal(new Platform("linux", "amd64", "v2", null), AMD64, binfmt)).isEmpty();
  }

  @Test
  void refusal_foreignWithoutEntry_namesBothPlatformsAndTheArchitecture() throws Exception {
    Files.writeString(binfmt.resolve("status"), "enabled\n");
    Files.writeString(binfmt.resolve("python3.11"), "enabled\ninterpreter /usr/bin/python3.11\n");
    assertThat(HostEmulation.refusal(ARM64, AMD64, binfmt)).hasValueSatisfying(m -> assertThat(m).startsWith(
        "jbuild cannot build for linux/arm64 on this linux/amd64 host: no emulation (binfmt_misc) registered for "
            + "arm64 (register qemu-aarch64"));
  }

  @Test
  void refusal_enabledQemuEntry_none() throws Exception {
    Files.writeString(binfmt.resolve("status"), "enabled\n");
    Files.writeString(binfmt.resolve("qemu-aarch64"), "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\n");
    assertThat(HostEmulation.refusal(ARM64, AMD64, binfmt)).isEmpty();
  }

  @Test
  void refusal_disabledEntryOrBinfmtOff_refused() throws Exception {
    Files.writeString(binfmt.resolve("status"), "enabled\n");
    Files.writeString(binfmt.resolve("qemu-aarch64"), "disabled\n");
    assertThat(HostEmulation.refusal(ARM64, AMD64, binfmt)).isPresent();
    Files.writeString(binfmt.resolve("qemu-aarch64"), "enabled\n");
    Files.writeString(binfmt.resolve("status"), "disabled\n");
    assertThat(HostEmulation.refusal(ARM64, AMD64, binfmt)).isPresent();
  }

  @Test
  void refusal_notMounted_refused() {
    assertThat(HostEmulation.refusal(ARM64, AMD64, binfmt.resolve("absent"))).isPresent();
  }
}
