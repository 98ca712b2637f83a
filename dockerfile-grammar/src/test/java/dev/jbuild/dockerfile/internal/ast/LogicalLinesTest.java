package dev.jbuild.dockerfile.internal.ast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.dockerfile.ir.SourceSpan;
import org.junit.jupiter.api.Test;

/** How physical lines become logical lines, seen through the spans and texts {@link AstParser} reports. */
class LogicalLinesTest {

  private static Node only(String text) {
    ParsedFile file = AstParser.parse(text);
    assertThat(file.nodes()).hasSize(1);
    return file.nodes().get(0);
  }

  @Test
  void parse_indentedInstruction_spanStartsAtTheWord() {
    Node node = only("  \tRUN a  \n");

    assertThat(node.line().original()).isEqualTo("RUN a  ");
    assertThat(node.span()).isEqualTo(new SourceSpan(1, 4, 1, 10));
  }

  @Test
  void parse_loneEscapeFirst_spansFromColumnOneAndJoinsNextLine() {
    Node node = only("  \\  \nRUN x\n");

    assertThat(node.line().original()).isEqualTo("RUN x");
    assertThat(node.span()).isEqualTo(new SourceSpan(1, 1, 2, 5));
  }

  @Test
  void parse_continuationLinesKeepTheirIndentation_bareEscapeLinesAddNothing() {
    Node node = only("RUN a \\\n  \\\n\\\n# c\n\n  b \\\n");

    assertThat(node.line().original()).isEqualTo("RUN a     b ");
    assertThat(node.span()).isEqualTo(new SourceSpan(1, 1, 6, 4));
  }

  @Test
  void parse_escapedEscapeOrOtherEscapeAtLineEnd_endsTheLine() {
    assertThat(AstParser.parse("RUN a\\\\\nRUN b`\n").nodes()).extracting(n -> n.line().original())
        .containsExactly("RUN a\\\\", "RUN b`");
    assertThat(AstParser.parse("# escape=`\nRUN a\\\nRUN b``\nRUN c`\n  d\n").nodes())
        .extracting(n -> n.line().original()).containsExactly("RUN a\\", "RUN b``", "RUN c  d");
  }

  @Test
  void parse_escapeFollowedByOtherSpace_isNotAContinuation() {
    assertThat(AstParser.parse("RUN a \\\u00A0\nRUN b\n").nodes()).hasSize(2);
  }

  @Test
  void parse_charactersOutsideBmp_endColumnCountsCodePointsBeforeTheLastPiece() {
    // Columns before the last text piece count code points, the piece itself UTF-16 units, as ANTLR
    // reported them when every piece was a token of its own.
    assertThat(only("RUN \uD83D\uDE00 \\x y\n").span()).isEqualTo(new SourceSpan(1, 1, 1, 10));
    assertThat(only("RUN a \\\n\uD83D\uDE00\uD83D\uDE00 b`c\n").span()).isEqualTo(new SourceSpan(1, 1, 2, 6));
    assertThat(only("RUN \uD83D\uDE00\\\\\n").span()).isEqualTo(new SourceSpan(1, 1, 1, 7));
    assertThat(only("RUN \uD83D\uDE00 x\n").span()).isEqualTo(new SourceSpan(1, 1, 1, 8));
  }

  @Test
  void parse_heredocBody_spanEndsWithTerminator() {
    Node node = only("RUN <<EOF \\\n  cat\nbody\n  EOF\nEOF\n");

    assertThat(node.heredocs()).extracting(Node.RawHeredoc::content).containsExactly("body\n  EOF\n");
    assertThat(node.span()).isEqualTo(new SourceSpan(1, 1, 5, 3));
  }

  @Test
  void parse_heredocOpenedAtEndOfFileWithoutBody_hasNoHeredoc() {
    assertThat(only("RUN <<EOF\n").heredocs()).isEmpty();
  }
}
