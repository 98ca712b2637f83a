package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.builder.BuildException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatternMatcherTest {
  private static PatternMatcher m(String... patterns) throws BuildException {
    return PatternMatcher.compile(List.of(patterns), ".dockerignore");
  }

  @Test
  void matches_singleStar_staysInOneComponent_butParentsMatchToo() throws Exception {
    PatternMatcher p = m("*.md", "build");
    assertThat(p.matches("a.md")).isTrue();
    assertThat(p.matches("docs/a.md")).isFalse();
    assertThat(p.matches("build")).isTrue();
    assertThat(p.matches("build/out/x")).isTrue();
    assertThat(p.matches("builder")).isFalse();
  }

  @Test
  void matches_doubleStar_spansAnyNumberOfComponents() throws Exception {
    PatternMatcher p = m("**/*.log", "a/**/z", "tmp/**");
    assertThat(p.matches("x.log")).isTrue();
    assertThat(p.matches("a/b/c/x.log")).isTrue();
    assertThat(p.matches("a/z")).isTrue();
    assertThat(p.matches("a/b/c/z")).isTrue();
    assertThat(p.matches("tmp/q/r")).isTrue();
    assertThat(p.matches("x.txt")).isFalse();
  }

  @Test
  void matches_exceptions_laterLinesWin() throws Exception {
    PatternMatcher p = m("*.txt", "!keep.txt", "keep.txt.bak");
    assertThat(p.matches("a.txt")).isTrue();
    assertThat(p.matches("keep.txt")).isFalse();
    assertThat(m("!a", "a").matches("a")).isTrue();
    assertThat(m("a", "!a").matches("a")).isFalse();
  }

  @Test
  void compile_leadingSlashAndDotsAreCleaned() throws Exception {
    PatternMatcher p = m("/abs", "./rel/../other//x/");
    assertThat(p.matches("abs")).isTrue();
    assertThat(p.matches("other/x")).isTrue();
    assertThat(PatternMatcher.cleanPattern("/a/./b/../c/")).isEqualTo("a/c");
  }

  @Test
  void matches_classesQuestionMarkAndEscapes() throws Exception {
    PatternMatcher p = m("file[0-9].txt", "?x", "[!a]y", "lit\\*");
    assertThat(p.matches("file3.txt")).isTrue();
    assertThat(p.matches("filea.txt")).isFalse();
    assertThat(p.matches("ax")).isTrue();
    assertThat(p.matches("a/x")).isFalse();
    assertThat(p.matches("by")).isTrue();
    assertThat(p.matches("ay")).isFalse();
    assertThat(p.matches("lit*")).isTrue();
    assertThat(p.matches("litx")).isFalse();
  }

  @Test
  void compile_loneExclamationMarkOrUnclosedClass_isAnError() {
    assertThatThrownBy(() -> m("!")).isInstanceOf(BuildException.class)
        .hasMessage(".dockerignore: illegal exclusion pattern: \"!\"");
    assertThatThrownBy(() -> m("a[b")).hasMessageContaining("unclosed [");
  }

  @Test
  void mayIncludeBelow_onlyWhenAnExceptionCouldReachInside() throws Exception {
    PatternMatcher p = m("build", "!build/keep", "x");
    assertThat(p.mayIncludeBelow("build")).isTrue();
    assertThat(p.mayIncludeBelow("x")).isFalse();
    assertThat(m("*", "!*/keep").mayIncludeBelow("any")).isTrue();
  }

  @Test
  void ignoreLines_dropCommentsBomAndBlankLines() {
    assertThat(BuildContext.ignoreLines("\uFEFF# c\n a \n\n #not-comment\r\n!b\n"))
        .containsExactly("a", "#not-comment", "!b");
  }
}
