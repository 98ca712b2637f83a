package dev.jbuild.dockerfile.internal.ast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LineStateTest {
  /** BuildKit's reDirectives (Go's \s), the reference for the hand-written directive matcher. */
  private static final Pattern DIRECTIVE =
      Pattern.compile("#[\\t\\n\\f\\r ]*([a-zA-Z][a-zA-Z0-9]*)[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*(.+?)[\\t\\n\\f\\r ]*",
          Pattern.DOTALL);

  @Test
  void commentLine_directiveVariants_recognisedWhenBuildKitPatternMatchesAKnownName() {
    List<String> lines = List.of("# escape=`", "#escape=\\", "#\tescape\f=\t`", "# escape = ` ", "#  syntax=x  ",
        "# 1escape=`", "# esc4pe=x", "#escape", "# escape=", "# syntax=  ", "# check=a b", "# syntax==x",
        "#SYNTAX=x", "# sy ntax=x", "# syntax\u00A0=x", "#", "  # syntax=x", "# syntax=x\u00A0");
    for (String line : lines) {
      LineState state = new LineState();
      String body = GoText.trimLeft(line);
      Matcher m = DIRECTIVE.matcher(body);
      boolean expected = m.matches()
          && List.of("syntax", "escape", "check").contains(m.group(1).toLowerCase(Locale.ROOT));
      assertThat(state.commentLine(line + "\n", 1)).as(line).isEqualTo(expected);
    }
  }

  @Test
  void commentLine_afterAnInstruction_isAComment() {
    LineState state = new LineState();
    state.instructionStart(1);

    assertThat(state.commentLine("# escape=`\n", 2)).isFalse();
    assertThat(state.escape()).isEqualTo('\\');
  }

  @Test
  void continues_escapeAtEnd_unlessEscaped() {
    LineState state = new LineState();

    assertThat(state.continues("a \\", 2)).isTrue();
    assertThat(state.continues("\\", 0)).isTrue();
    assertThat(state.continues("a\\\\", 2)).isFalse();
    assertThat(state.continues("a`", 1)).isFalse();
    assertThat(state.continues("", -1)).isFalse();
  }
}
