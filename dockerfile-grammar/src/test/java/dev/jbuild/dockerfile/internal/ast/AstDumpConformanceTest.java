package dev.jbuild.dockerfile.internal.ast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** BuildKit's own parser fixtures (src/test/resources/conformance, see its README). */
class AstDumpConformanceTest {

  private static Path fixtures(String dir) throws URISyntaxException {
    return Path.of(AstDumpConformanceTest.class.getResource("/conformance/" + dir).toURI());
  }

  private static ParsedFile parse(Path dockerfile) throws IOException {
    return AstParser.parse(SourceText.normalize(Files.readString(dockerfile, StandardCharsets.UTF_8)));
  }

  private static List<Path> cases(String dir) throws URISyntaxException, IOException {
    try (Stream<Path> s = Files.list(fixtures(dir))) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> dump_positiveFixture_matchesBuildKitResultByteForByte() throws Exception {
    List<Path> cases = cases("testfiles");
    assertThat(cases).hasSize(33);
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      String expected = Files.readString(dir.resolve("result"), StandardCharsets.UTF_8).replace("\r\n", "\n");
      assertThat(AstDump.dump(parse(dir.resolve("Dockerfile")))).isEqualTo(expected);
    }));
  }

  @TestFactory
  Stream<DynamicTest> parse_negativeFixture_fails() throws Exception {
    List<Path> cases = cases("testfiles-negative");
    assertThat(cases).hasSize(4);
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(),
        () -> assertThatThrownBy(() -> parse(dir.resolve("Dockerfile"))).isInstanceOf(ParseFailure.class)));
  }

  @Test
  void parse_lineFixture_reportsBuildKitLineNumbers() throws Exception {
    ParsedFile file = parse(fixtures("testfile-line").resolve("Dockerfile"));

    assertThat(file.nodes()).extracting(n -> n.span().startLine() + "-" + n.span().endLine())
        .containsExactly("5-5", "11-12", "17-31");
  }
}
