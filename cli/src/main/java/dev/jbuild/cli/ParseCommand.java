package dev.jbuild.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.ir.Stage;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jbuild parse FILE|-}: checks a Dockerfile without building it. {@code --format=json} prints the typed IR;
 * {@code --format=ast} prints BuildKit's parser AST dump, byte for byte, which is how jbuild is held to BuildKit.
 */
@Command(name = "parse", description = "Parse a Dockerfile and print its instructions (JSON) or BuildKit's AST dump.",
    mixinStandardHelpOptions = true)
final class ParseCommand implements Callable<Integer> {
  /** Same cap as the parser's, checked before reading a whole file or stdin into memory. */
  private static final long MAX_BYTES = DockerfileParser.MAX_SOURCE_BYTES;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The Dockerfile, or - for standard input.")
  String file;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
      description = "json (default): the instructions with their source spans; ast: BuildKit's AST dump.")
  Format format;

  enum Format { json, ast }

  @Override
  public Integer call() throws Exception {
    String name = file.equals("-") ? "Dockerfile" : file;
    byte[] source = read();
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.ast) {
      out.print(DockerfileParser.dumpAst(source, name));
    } else {
      Dockerfile dockerfile = DockerfileParser.parse(source, name);
      out.println(OciJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(dockerfile)));
    }
    out.flush();
    return 0;
  }

  private byte[] read() throws IOException {
    if (file.equals("-")) {
      InputStream in = System.in;
      byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new Errors.UserError("standard input: Dockerfile is larger than the limit of " + MAX_BYTES + " bytes");
      }
      return bytes;
    }
    Path path = Path.of(file);
    try {
      long size = Files.size(path);
      if (size > MAX_BYTES) {
        throw new Errors.UserError(file + ": Dockerfile is " + size + " bytes; the limit is " + MAX_BYTES + " bytes");
      }
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new Errors.UserError(file + ": no such file");
    }
  }

  /** The IR as JSON: records serialise by their components; each instruction is tagged with its keyword. */
  static JsonNode toJson(Dockerfile dockerfile) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("file", dockerfile.fileName());
    root.set("directives", OciJson.mapper().valueToTree(dockerfile.directives()));
    ArrayNode args = root.putArray("globalArgs");
    dockerfile.globalArgs().forEach(a -> args.add(instruction(a)));
    ArrayNode stages = root.putArray("stages");
    for (Stage stage : dockerfile.stages()) {
      ObjectNode s = stages.addObject();
      s.put("index", stage.index());
      s.put("name", stage.name());
      s.set("from", instruction(stage.from()));
      ArrayNode instructions = s.putArray("instructions");
      stage.instructions().forEach(i -> instructions.add(instruction(i)));
    }
    return root;
  }

  private static ObjectNode instruction(Object instruction) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("instruction", instruction.getClass().getSimpleName().toUpperCase(Locale.ROOT));
    node.setAll((ObjectNode) OciJson.mapper().valueToTree(instruction));
    return node;
  }

}
