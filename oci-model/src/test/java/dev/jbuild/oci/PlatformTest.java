package dev.jbuild.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlatformTest {
  @Test
  void parse_aliases_normalise() throws Exception {
    assertThat(Platform.parse("linux/x86_64")).isEqualTo(Platform.of("linux", "amd64"));
    assertThat(Platform.parse("linux/aarch64")).isEqualTo(Platform.of("linux", "arm64"));
    assertThat(Platform.parse("linux/arm").variant()).isEqualTo("v7");
    assertThat(Platform.parse("LINUX/ARM64/v8")).hasToString("linux/arm64");
  }

  @Test
  void matches_variantUnsetOnOneSide_matches() throws Exception {
    assertThat(Platform.parse("linux/arm64").matches(new Platform("linux", "arm64", "v8", null))).isTrue();
    assertThat(Platform.parse("linux/arm/v6").matches(Platform.parse("linux/arm/v7"))).isFalse();
    assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/arm64"))).isFalse();
  }

  @Test
  void parse_garbage_namesTheInput() {
    assertThatThrownBy(() -> Platform.parse("amd64")).hasMessageContaining("\"amd64\"");
  }

  /**
   * Variants are levels, as containerd matches them: an image for the same or a lower level serves (arm/v7 runs
   * arm/v6), a higher one never does (plain amd64 must not get an amd64/v3 image), and of several the nearest wins.
   */
  @Test
  void matches_variantLevels_andSelectPicksTheNearest() throws Exception {
    Platform amd64 = Platform.parse("linux/amd64");
    assertThat(amd64.matches(Platform.parse("linux/amd64/v3"))).isFalse();
    assertThat(Platform.parse("linux/amd64/v3").matches(amd64)).isTrue();
    assertThat(Platform.parse("linux/amd64/v3").matches(Platform.parse("linux/amd64/v2"))).isTrue();
    assertThat(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6"))).isTrue();
    assertThat(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v7"))).isTrue();
    assertThat(Platform.parse("linux/arm64").matches(Platform.parse("linux/arm64/v9"))).isFalse();
    assertThat(Platform.parse("linux/riscv64").matches(Platform.parse("linux/riscv64/rva22"))).isTrue();

    Descriptor v3 = manifest("linux/amd64/v3", 1);
    Descriptor v1 = manifest("linux/amd64", 2);
    Descriptor v2 = manifest("linux/amd64/v2", 3);
    Descriptor arm = manifest("linux/arm/v6", 4);
    assertThat(amd64.select(java.util.List.of(v3, v1, arm))).contains(v1);
    assertThat(Platform.parse("linux/amd64/v3").select(java.util.List.of(v1, v2, v3))).contains(v3);
    assertThat(Platform.parse("linux/amd64/v3").select(java.util.List.of(v1, v2))).contains(v2);
    assertThat(amd64.select(java.util.List.of(v3))).isEmpty();
    assertThat(Platform.parse("linux/arm/v7").select(java.util.List.of(v1, arm))).contains(arm);
  }

  private static Descriptor manifest(String platform, int seed) throws Exception {
    return new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(new byte[] {(byte) seed}), 10)
        .withPlatform(Platform.parse(platform));
  }
}
