package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChmodSpecTest {
  @Test
  void apply_octal_setsTheModeOutright() {
    assertThat(ChmodSpec.parse("755").apply(0600, false)).isEqualTo(0755);
    assertThat(ChmodSpec.parse("04755").apply(0, false)).isEqualTo(04755);
    assertThat(ChmodSpec.parse("0644").isOctal()).isTrue();
  }

  @Test
  void apply_symbolicAddRemoveSet() {
    assertThat(ChmodSpec.parse("u+x").apply(0644, false)).isEqualTo(0744);
    assertThat(ChmodSpec.parse("g-w,o-r").apply(0664, false)).isEqualTo(0640);
    assertThat(ChmodSpec.parse("go=").apply(0777, false)).isEqualTo(0700);
    assertThat(ChmodSpec.parse("+x").apply(0644, false)).isEqualTo(0755);
    assertThat(ChmodSpec.parse("u=rw,g=r,o=").apply(0777, false)).isEqualTo(0640);
    assertThat(ChmodSpec.parse("u+x-w").apply(0644, false)).isEqualTo(0544);
  }

  @Test
  void apply_capitalX_onlyForDirectoriesAndAlreadyExecutableFiles() {
    ChmodSpec s = ChmodSpec.parse("a=rX");
    assertThat(s.apply(0600, false)).isEqualTo(0444);
    assertThat(s.apply(0700, false)).isEqualTo(0555);
    assertThat(s.apply(0600, true)).isEqualTo(0555);
  }

  @Test
  void apply_copyFromAnotherClass_setuidAndSticky() {
    assertThat(ChmodSpec.parse("go=u").apply(0750, false)).isEqualTo(0777);
    assertThat(ChmodSpec.parse("u+s").apply(0755, false)).isEqualTo(04755);
    assertThat(ChmodSpec.parse("g+s").apply(0755, true)).isEqualTo(02755);
    assertThat(ChmodSpec.parse("+t").apply(0777, true)).isEqualTo(01777);
  }

  @Test
  void parse_malformed_isRefusedWithTheReason() {
    assertThatThrownBy(() -> ChmodSpec.parse("u+q")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChmodSpec.parse("888")).hasMessageContaining("invalid octal mode");
    assertThatThrownBy(() -> ChmodSpec.parse("u")).hasMessageContaining("no operator");
    assertThatThrownBy(() -> ChmodSpec.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChmodSpec.parse("g=ux")).hasMessageContaining("stand alone");
  }
}
