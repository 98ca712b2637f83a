package dev.jbuild.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.store.StoredImages;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbuild inspect IMAGE}: the manifest and config of a stored image, as JSON. */
@Command(name = "inspect", description = "Show a stored image's manifest and config as JSON.",
    mixinStandardHelpOptions = true)
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Parameters(index = "0", paramLabel = "IMAGE") String image;

  @Override
  public Integer call() throws Exception {
    try (Store store = parent.global.openStore()) {
      Descriptor descriptor = LocalImages.resolve(store, image);
      StoredImages.StoredImage stored = StoredImages.read(store.blobs(), descriptor, Platform.host(), image);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("name", LocalImages.parse(image).familiar());
      out.put("digest", descriptor.digest().toString());
      out.put("manifestDigest", stored.manifestDescriptor().digest().toString());
      out.set("manifest", tree(stored.manifestBytes()));
      out.set("config", tree(stored.configBytes()));
      spec.commandLine().getOut().println(OciJson.mapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(out));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private static JsonNode tree(byte[] json) throws java.io.IOException {
    return OciJson.mapper().readTree(new String(json, StandardCharsets.UTF_8));
  }
}
