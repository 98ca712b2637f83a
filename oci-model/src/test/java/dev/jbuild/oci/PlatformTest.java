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
}
