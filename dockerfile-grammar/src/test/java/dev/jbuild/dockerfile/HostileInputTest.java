package dev.jbuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.dockerfile.expand.ShellLex;
import dev.jbuild.dockerfile.ir.Cmd;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.ir.Run;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Input a hostile build context can hold (security/CASES.md group B): each must end quickly in a
 * clear error or a correct parse, on the default thread stack and heap. The timeouts only guard
 * against hangs; speed is measured by the JMH benchmark (bench/parser.sh).
 */
class HostileInputTest {

  private static Dockerfile parse(String text) throws DockerfileSyntaxException {
    return DockerfileParser.parse(text, "Dockerfile");
  }

  private static Run onlyRun(Dockerfile df) {
    return (Run) df.stages().get(0).instructions().get(0);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_oneMegabyteLine_parses() throws Exception {
    String word = "a".repeat(1 << 20);

    Run run = onlyRun(parse("FROM a\nRUN echo " + word + "\n"));

    assertThat(run.command().args()).containsExactly("echo " + word);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_oneMegabyteDirectiveOfSpaces_failsWithoutBacktracking() {
    assertThatThrownBy(() -> parse("# escape=" + " ".repeat(1 << 20) + "x\nFROM a\n"))
        .isInstanceOf(DockerfileSyntaxException.class)
        .hasMessageStartingWith("Dockerfile:1:1048586: invalid escape token 'x' does not match ` or \\");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_hundredThousandInstructions_parsesAll() throws Exception {
    Dockerfile df = parse("FROM a\n" + "RUN echo hello world \\\n  && true\n".repeat(100_000));

    assertThat(df.stages().get(0).instructions()).hasSize(100_000);
    assertThat(df.stages().get(0).instructions().get(99_999).span().startLine()).isEqualTo(200_000);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_jsonNestedTenThousandDeep_isNonStringError() {
    String cmd = "CMD " + "[".repeat(10_000) + "]".repeat(10_000);

    assertThatThrownBy(() -> parse("FROM a\n" + cmd + "\n"))
        .isInstanceOf(DockerfileSyntaxException.class)
        .hasMessageStartingWith(
            "Dockerfile:2:5: when using JSON array syntax, arrays must be comprised of strings only");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_jsonDeeperThanGoAllows_isShellForm() throws Exception {
    // Go's encoding/json stops at 10,000 levels; BuildKit then reads the line as shell form.
    String json = "[".repeat(10_001) + "]".repeat(10_001);

    Cmd cmd = (Cmd) parse("FROM a\nCMD " + json + "\n").stages().get(0).instructions().get(0);

    assertThat(cmd.command().execForm()).isFalse();
    assertThat(cmd.command().args()).containsExactly(json);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_nulBytes_areKeptAsText() throws Exception {
    Run run = onlyRun(parse("FROM a\nRUN printf '\0' \0\0\n"));

    assertThat(run.command().args()).containsExactly("printf '\0' \0\0");
    assertThat(DockerfileParser.dumpAst("FROM a\nRUN \0x\n", "Dockerfile")).isEqualTo("(from \"a\")\n(run \"\\x00x\")\n");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parseBytes_megabyteOfInvalidUtf8_failsAtFirstByte() {
    byte[] garbage = new byte[1 << 20];
    Arrays.fill(garbage, (byte) 0xfe);

    assertThatThrownBy(() -> DockerfileParser.parse(garbage, "Dockerfile"))
        .isInstanceOf(DockerfileSyntaxException.class)
        .hasMessageStartingWith("Dockerfile:1:1: invalid UTF-8: byte 0xfe at offset 0 is not valid here");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_unterminatedHeredocWithLongBody_failsAtItsInstruction() {
    String text = "FROM a\nRUN cat <<EOF\n" + "line\n".repeat(200_000);

    assertThatThrownBy(() -> parse(text)).isInstanceOf(DockerfileSyntaxException.class)
        .hasMessage("Dockerfile:2:9: unterminated heredoc: no line \"EOF\" ends it\n 2 | RUN cat <<EOF\n   |         ^~");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_millionBareContinuations_joinIntoOneInstruction() throws Exception {
    Run run = onlyRun(parse("FROM a\nRUN a " + "\\\n".repeat(1_000_000) + "b\n"));

    assertThat(run.command().args()).containsExactly("a b");
    assertThat(run.span().endLine()).isEqualTo(1_000_002);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_millionContinuedLines_joinIntoOneInstruction() throws Exception {
    Run run = onlyRun(parse("FROM a\nRUN a \\\n" + "b\\\n".repeat(1_000_000) + "c\n"));

    assertThat(run.command().args()).containsExactly("a " + "b".repeat(1_000_000) + "c");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void processWord_substitutionsNestedTenThousandDeep_failsWithDepthError() {
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      word.append("${v").append(i).append(":-");
    }
    word.append("x").append("}".repeat(10_000));

    assertThatThrownBy(() -> new ShellLex('\\').processWord(word.toString(), Map.of()))
        .isInstanceOf(DockerfileException.class)
        .hasMessageStartingWith("failed to process \"${v0:-${v1:-")
        .hasMessageEndingWith("...\": syntax error: substitutions nested more than 100 levels deep");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void processWord_substitutionsNestedHundredDeep_expand() throws Exception {
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      word.append("${v").append(i).append(":-");
    }
    word.append("x").append("}".repeat(100));

    assertThat(new ShellLex('\\').processWord(word.toString(), Map.of("v99", "deep"))).isEqualTo("deep");
  }
}
