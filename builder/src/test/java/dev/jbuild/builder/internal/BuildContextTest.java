package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.builder.BuildException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {
  @TempDir Path tmp;

  @Test
  void clean_dotsAndSlashes_normalise() throws Exception {
    assertThat(BuildContext.clean("/a/./b//c/", "x")).isEqualTo("a/b/c");
    assertThat(BuildContext.clean("a/../b", "x")).isEqualTo("b");
    assertThat(BuildContext.clean(".", "x")).isEmpty();
  }

  @Test
  void clean_climbingOut_isForbidden() {
    assertThatThrownBy(() -> BuildContext.clean("../secret", "Dockerfile:2"))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:2: forbidden path outside the build context: ../secret");
    assertThatThrownBy(() -> BuildContext.clean("/../../etc/shadow", "x")).hasMessageContaining("outside");
  }

  @Test
  void resolveInRoot_absoluteAndRelativeLinks_stayInside() throws Exception {
    BuildContext ctx = new BuildContext(tmp);
    Files.createDirectories(tmp.resolve("etc"));
    Files.createSymbolicLink(tmp.resolve("abs"), Path.of("/etc"));
    Files.createSymbolicLink(tmp.resolve("up"), Path.of("../../../.."));
    assertThat(ctx.resolveInRoot("abs/passwd", "x")).isEqualTo(tmp.toRealPath().resolve("etc/passwd"));
    assertThat(ctx.resolveInRoot("up/etc", "x")).isEqualTo(tmp.toRealPath().resolve("etc"));
  }

  @Test
  void resolveInRoot_linkCycle_isABoundedError() throws Exception {
    BuildContext ctx = new BuildContext(tmp);
    Files.createSymbolicLink(tmp.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(tmp.resolve("b"), Path.of("a"));
    assertThatThrownBy(() -> ctx.resolveInRoot("a/x", "Dockerfile:4"))
        .hasMessage("Dockerfile:4: too many levels of symbolic links at a/x");
  }

  @Test
  void goGlob_classesAndEscapes() throws Exception {
    assertThat(GoGlob.compile("file[0-9].txt", "x").matches("file7.txt")).isTrue();
    assertThat(GoGlob.compile("file[!0-9].txt", "x").matches("file7.txt")).isFalse();
    assertThat(GoGlob.compile("a?c", "x").matches("abc")).isTrue();
    assertThat(GoGlob.compile("a\\*", "x").matches("a*")).isTrue();
    assertThat(GoGlob.compile("a\\*", "x").matches("ab")).isFalse();
    assertThat(GoGlob.compile("*.t.x", "x").matches("a.t.x")).isTrue();
    assertThatThrownBy(() -> GoGlob.compile("[abc", "Dockerfile:1")).hasMessageContaining("unclosed [");
  }
}
