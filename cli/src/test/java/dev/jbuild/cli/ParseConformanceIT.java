package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * BuildKit's own parser fixtures, run through {@code jbuild parse} exactly as a user would. The fixtures live in the
 * shared conformance folder beside the repository (CI always has it); {@code JBUILD_CONFORMANCE_DIR} overrides.
 */
class ParseConformanceIT {
  private static final Map<String, String> NEGATIVE = Map.of(
      "empty_dockerfile", "file with no instructions",
      "only_comments", "file with no instructions",
      "env_no_value", "ENV must have two arguments",
      "shykes-nested-json", "when using JSON array syntax, arrays must be comprised of strings only");

  private static Path fixtures() {
    String override = System.getenv("JBUILD_CONFORMANCE_DIR");
    Path dir = override != null ? Path.of(override)
        : Processes.repoRoot().resolveSibling("shared").resolve("conformance/dockerfile-parser");
    assumeTrue(Files.isDirectory(dir.resolve("testfiles")), "no conformance fixtures at " + dir);
    return dir;
  }

  private static Cli.Result parse(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "parse";
    System.arraycopy(args, 0, all, 1, args.length);
    return new Cli(Path.of("/nonexistent-store-not-used")).run(all);
  }

  @TestFactory
  Stream<DynamicTest> ast_everyPositiveCase_matchesBuildKitsDumpExactly() throws IOException {
    Path dir = fixtures().resolve("testfiles");
    List<Path> cases;
    try (Stream<Path> list = Files.list(dir)) {
      cases = list.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(cases).hasSize(33);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      String expected = Files.readString(c.resolve("result"), StandardCharsets.UTF_8).replace("\r\n", "\n");
      Cli.Result r = parse("--format=ast", c.resolve("Dockerfile").toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo(expected);
    }));
  }

  @TestFactory
  Stream<DynamicTest> ast_everyNegativeCase_failsWithBuildKitsMessage() throws IOException {
    Path dir = fixtures().resolve("testfiles-negative");
    List<Path> cases;
    try (Stream<Path> list = Files.list(dir)) {
      cases = list.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(cases).hasSize(4);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      Cli.Result r = parse("--format=ast", c.resolve("Dockerfile").toString());
      assertThat(r.exit()).isNotZero();
      assertThat(r.err()).contains(NEGATIVE.get(c.getFileName().toString()));
    }));
  }

  @Test
  void json_testfileLine_givesBuildKitsLineRanges() throws IOException {
    Cli.Result r = parse(fixtures().resolve("testfile-line/Dockerfile").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode stage = OciJson.mapper().readTree(r.out()).get("stages").get(0);
    List<JsonNode> nodes = List.of(stage.get("from"), stage.get("instructions").get(0), stage.get("instructions").get(1));
    assertThat(nodes).extracting(n -> n.get("span").get("startLine").asInt() + "-" + n.get("span").get("endLine").asInt())
        .containsExactly("5-5", "11-12", "17-31");
    assertThat(nodes).extracting(n -> n.get("instruction").asText()).containsExactly("FROM", "ENV", "RUN");
  }

  @Test
  void parse_misspeltInstruction_namesFileLineColumnAndSuggests() throws IOException {
    Path bad = Files.createTempFile("Dockerfile", "");
    try {
      Files.writeString(bad, "FROM scratch\nFORM x\n");
      Cli.Result r = parse(bad.toString());
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains(bad + ":2:").contains("unknown instruction: FORM").contains("did you mean FROM?");
    } finally {
      Files.delete(bad);
    }
  }
}
