package dev.jbuild.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.store.TaggedImage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild images}: the tagged images in the local store. */
@Command(name = "images", description = "List the images in the local store.", mixinStandardHelpOptions = true)
final class ImagesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Option(names = "--digests", description = "Show the full manifest digest.")
  boolean digests;

  @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.", defaultValue = "table")
  String format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = parent.global.openStore()) {
      List<TaggedImage> images = store.images().list();
      if (format.equals("json")) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (TaggedImage image : images) {
          String[] nameTag = split(image.name());
          ObjectNode o = array.addObject();
          o.put("name", image.name());
          o.put("repository", nameTag[0]);
          o.put("tag", nameTag[1]);
          o.put("digest", image.manifest().digest().toString());
          o.put("mediaType", image.manifest().mediaType());
          o.put("size", image.manifest().size());
        }
        out.println(new String(OciJson.bytes(array), StandardCharsets.UTF_8));
      } else if (format.equals("table")) {
        String row = "%-40s %-16s %-" + (digests ? 71 : 12) + "s%n";
        out.printf(row, "REPOSITORY", "TAG", digests ? "DIGEST" : "IMAGE ID");
        for (TaggedImage image : images) {
          String[] nameTag = split(image.name());
          out.printf(row, nameTag[0], nameTag[1],
              digests ? image.manifest().digest().toString() : image.manifest().digest().shortHex());
        }
      } else {
        throw new Errors.UserError("unknown --format \"" + format + "\": use table or json");
      }
    }
    out.flush();
    return 0;
  }

  /** Repository and tag of a stored name; names that are not references are shown whole. */
  private static String[] split(String name) {
    try {
      ImageReference ref = ImageReference.parse(name);
      return new String[] {ref.familiarName(), ref.tag() != null ? ref.tag() : "<none>"};
    } catch (InvalidReferenceException e) {
      return new String[] {name, "<none>"};
    }
  }
}
