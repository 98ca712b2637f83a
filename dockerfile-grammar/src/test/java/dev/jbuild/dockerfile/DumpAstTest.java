package dev.jbuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@link DockerfileParser#dumpAst} against BuildKit's own fixtures, through the public API. */
class DumpAstTest {

  private static Path fixtures(String dir) throws Exception {
    return Path.of(DumpAstTest.class.getResource("/conformance/" + dir).toURI());
  }

  @TestFactory
  Stream<DynamicTest> dumpAst_bytesOfPositiveFixture_matchesBuildKitResult() throws Exception {
    List<Path> cases;
    try (Stream<Path> s = Files.list(fixtures("testfiles"))) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(cases).hasSize(33);
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      String expected = Files.readString(dir.resolve("result"), StandardCharsets.UTF_8).replace("\r\n", "\n");
      byte[] source = Files.readAllBytes(dir.resolve("Dockerfile"));
      assertThat(DockerfileParser.dumpAst(source, "Dockerfile")).isEqualTo(expected).endsWith("\n");
      assertThat(DockerfileParser.dumpAst(new String(source, StandardCharsets.UTF_8), "Dockerfile"))
          .isEqualTo(expected);
    }));
  }

  @Test
  void dumpAst_negativeFixtures_failWithBuildKitMessages() throws Exception {
    assertThat(negative("empty_dockerfile").what()).isEqualTo("file with no instructions");
    assertThat(negative("only_comments").what()).isEqualTo("file with no instructions");
    DockerfileSyntaxException env = negative("env_no_value");
    assertThat(env.what()).isEqualTo("ENV must have two arguments");
    assertThat(env.getMessage()).startsWith("Dockerfile:" + env.line() + ":5: ENV must have two arguments\n");
    assertThat(negative("shykes-nested-json").what())
        .isEqualTo("when using JSON array syntax, arrays must be comprised of strings only");
  }

  private static DockerfileSyntaxException negative(String name) throws Exception {
    byte[] source = Files.readAllBytes(fixtures("testfiles-negative").resolve(name).resolve("Dockerfile"));
    try {
      DockerfileParser.dumpAst(source, "Dockerfile");
    } catch (DockerfileSyntaxException e) {
      return e;
    }
    throw new AssertionError(name + " should not dump");
  }

  @Test
  void dumpAst_unknownInstructionAndFlag_areDumpedNotRejected() throws Exception {
    assertThat(DockerfileParser.dumpAst("FORM a\nCOPY --chwon=1 a b\n", "Dockerfile"))
        .isEqualTo("(form \"\")\n(copy [\"--chwon=1\"] \"a\" \"b\")\n");
    assertThatThrownBy(() -> DockerfileParser.parse("FORM a\n", "Dockerfile"))
        .hasMessageStartingWith("Dockerfile:1:1: unknown instruction: FORM (did you mean FROM?)");
  }

  @Test
  void dumpAst_heredocAndContinuation_dumpsFirstLineAndJoinedLine() throws Exception {
    assertThat(DockerfileParser.dumpAst("RUN <<EOF\necho\nEOF\nRUN a \\\n  b\n", "f"))
        .isEqualTo("(run \"<<EOF\")\n(run \"a   b\")\n");
  }
}
