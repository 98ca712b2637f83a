package dev.jbuild.dockerfile.ir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class IrPackageTest {

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/jbuild/dockerfile/ir"))) {
      return files.filter(p -> p.toString().endsWith(".java")).toList();
    }
  }

  @Test
  void irSources_anyFile_importNoAntlrOrInternalTypes() throws IOException {
    assertThat(sources()).isNotEmpty().allSatisfy(file -> assertThat(Files.readString(file))
        .doesNotContain("org.antlr").doesNotContain("dockerfile.internal"));
  }

  @Test
  void instruction_permittedSubclasses_areAllRecords() {
    assertThat(Instruction.class.getPermittedSubclasses()).hasSize(18)
        .allSatisfy(c -> assertThat(c.isRecord()).isTrue());
  }

  @Test
  void records_orderedCollections_areCopiedDefensively() {
    java.util.ArrayList<String> ports = new java.util.ArrayList<>(List.of("80"));
    Expose expose = new Expose(new SourceSpan(1, 1, 1, 9), "EXPOSE 80", ports);
    ports.add("443");

    assertThat(expose.ports()).containsExactly("80");
    java.util.LinkedHashMap<String, String> options = new java.util.LinkedHashMap<>();
    options.put("z", "1");
    options.put("a", "2");
    assertThat(new RunMount("cache", options).options().keySet()).containsExactly("z", "a");
  }
}
