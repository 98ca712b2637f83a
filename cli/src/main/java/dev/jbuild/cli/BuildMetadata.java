package dev.jbuild.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code --iidfile} and {@code --metadata-file}. The image ID is the config digest, as classic docker writes it
 * (BuildKit with the containerd image store writes the manifest digest instead; that one is in the metadata file).
 */
final class BuildMetadata {
  private BuildMetadata() {}

  /** {@code sha256:<config digest>}, without a line break, as {@code docker build --iidfile} writes. */
  static void writeIidFile(String path, BuildResult result) throws IOException {
    write(path, result.configDigest().toString().getBytes(StandardCharsets.UTF_8), "the image ID file");
  }

  /**
   * The keys buildx writes: {@code containerimage.digest} (the manifest; the pushed one when pushed),
   * {@code containerimage.config.digest}, {@code containerimage.descriptor} and {@code image.name} (the tags,
   * comma-separated, when there are any).
   *
   * @param pushed the digest of the manifest pushed to the registries, or null
   */
  static String metadata(BuildResult result, Digest pushed) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("containerimage.config.digest", result.configDigest().toString());
    ObjectNode descriptor = root.putObject("containerimage.descriptor");
    descriptor.put("mediaType", result.manifest().mediaType());
    descriptor.put("digest", result.manifest().digest().toString());
    descriptor.put("size", result.manifest().size());
    root.put("containerimage.digest", (pushed != null ? pushed : result.manifest().digest()).toString());
    if (!result.tags().isEmpty()) {
      root.put("image.name", String.join(",", result.tags()));
    }
    return mapper.writeValueAsString(root) + "\n";
  }

  static void writeMetadata(String path, BuildResult result, Digest pushed) throws IOException {
    write(path, metadata(result, pushed).getBytes(StandardCharsets.UTF_8), "the metadata file");
  }

  private static void write(String path, byte[] content, String what) throws IOException {
    try (ArchiveStreams.Output out = ArchiveStreams.Output.open(path, what)) {
      out.stream().write(content);
      out.commit();
    }
  }
}
