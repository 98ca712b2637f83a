package dev.jbuild.dockerfile.internal.ast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AstParserTest {

  private static ParsedFile parse(String text) {
    return AstParser.parse(SourceText.normalize(text));
  }

  private static String dump(String text) {
    return AstDump.dump(parse(text));
  }

  @Test
  void parse_unknownInstruction_isKeptAtParserLevel() {
    assertThat(dump("FOO bar baz\n")).isEqualTo("(foo \"\")\n");
  }

  @Test
  void parse_escapeAloneOnFirstLine_continuesIntoInstruction() {
    ParsedFile file = parse("\\\nRUN x\n");

    assertThat(AstDump.dump(file)).isEqualTo("(run \"x\")\n");
    assertThat(file.nodes().get(0).span().startLine()).isEqualTo(1);
  }

  @Test
  void parse_escapedEscapeAtLineEnd_isNotAContinuation() {
    assertThat(dump("ENV A a\\\\\nENV B b\n")).isEqualTo("(env \"A\" \"a\\\\\\\\\" \"\")\n(env \"B\" \"b\" \"\")\n");
  }

  @Test
  void parse_noTrailingNewline_endsInstructionAtEof() {
    assertThat(dump("FROM a\nRUN b \\\n  # c\n")).isEqualTo("(from \"a\")\n(run \"b\")\n");
  }

  @Test
  void parse_whitespaceOnlyLastLine_isIgnored() {
    assertThat(dump("FROM a\n   ")).isEqualTo("(from \"a\")\n");
    ParsedFile file = parse("FROM a\nRUN x \\\n   ");
    assertThat(file.nodes().get(1).line().original()).isEqualTo("RUN x ");
    assertThat(dump("FROM a\nRUN x \\   ")).isEqualTo("(from \"a\")\n(run \"x\")\n");
  }

  @Test
  void parse_heredocs_readsBodiesAndFlags() {
    ParsedFile file = parse("RUN 3<<EOF <<-\"E2\" <<'E\"3'\n$a\nEOF\n\tb\n\tE2\nc\nE\"3");
    List<Node.RawHeredoc> docs = file.nodes().get(0).heredocs();

    assertThat(docs).extracting(Node.RawHeredoc::marker).containsExactly(
        new HeredocMarker("EOF", 3, true, false),
        new HeredocMarker("E2", 0, false, true),
        new HeredocMarker("E\"3", 0, false, false));
    assertThat(docs).extracting(Node.RawHeredoc::content).containsExactly("$a\n", "\tb\n", "c\n");
    assertThat(file.nodes().get(0).span().endLine()).isEqualTo(7);
    assertThat(AstDump.dump(file)).isEqualTo("(run \"3<<EOF <<-\\\"E2\\\" <<'E\\\"3'\")\n");
  }

  @Test
  void parse_heredocOnlyForRunCopyAddShellForm_otherwiseLinesAreInstructions() {
    assertThat(dump("CMD <<EOF\nRUN [\"<<EOF\"]\nEOF\n"))
        .isEqualTo("(cmd \"<<EOF\")\n(run \"<<EOF\")\n(eof \"\")\n");
  }

  @Test
  void parse_onbuildHeredoc_belongsToOnbuild() {
    ParsedFile file = parse("ONBUILD RUN <<EOF\nx\nEOF\nUSER y\n");

    assertThat(file.nodes()).hasSize(2);
    assertThat(file.nodes().get(0).heredocs()).extracting(Node.RawHeredoc::content).containsExactly("x\n");
  }

  @Test
  void parse_heredocTerminatorIndentedWithoutChomp_isContent() {
    ParsedFile file = parse("RUN <<EOF\n\tEOF\nEOF\n");

    assertThat(file.nodes().get(0).heredocs().get(0).content()).isEqualTo("\tEOF\n");
  }

  @Test
  void parse_directiveAfterComment_isAComment() {
    ParsedFile file = parse("# hello\n# escape=`\nRUN a `\n");

    assertThat(file.directives()).isEmpty();
    assertThat(file.escape()).isEqualTo('\\');
  }

  @Test
  void parse_repeatedOrInvalidDirective_fails() {
    assertThatThrownBy(() -> parse("# escape=`\n# escape=\\\nFROM a\n")).isInstanceOf(ParseFailure.class)
        .hasMessage("only one escape parser directive can be used");
    assertThatThrownBy(() -> parse("# escape=x\nFROM a\n"))
        .hasMessage("invalid escape token 'x' does not match ` or \\");
  }

  @Test
  void parse_flagsWithQuotes_removesQuotes() {
    assertThat(dump("COPY --chown=\"me:me\" --x='a b' -- --y z\n"))
        .isEqualTo("(copy [\"--chown=me:me\" \"--x=a b\"] \"--y\" \"z\")\n");
  }

  @Test
  void parse_continuationsAndCommentsInside_areSkippedButCountedInSpan() {
    ParsedFile file = parse("RUN a \\\n\\\n# c\n\n  b \\\n  c\nUSER x\n");

    assertThat(file.nodes().get(0).line().original()).isEqualTo("RUN a   b   c");
    assertThat(file.nodes().get(0).span()).isEqualTo(new dev.jbuild.dockerfile.ir.SourceSpan(1, 1, 6, 3));
    assertThat(file.nodes().get(1).span().startLine()).isEqualTo(7);
  }

  @Test
  void parse_backtickEscapeDirective_makesBacktickTheContinuation() {
    assertThat(dump("# escape=`\nRUN a `\n  b \\\nUSER c\n")).isEqualTo("(run \"a   b \\\\\")\n(user \"c\")\n");
  }
}
