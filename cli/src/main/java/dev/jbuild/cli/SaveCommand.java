package dev.jbuild.cli;

import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.archive.ArchiveFormat;
import dev.jbuild.store.archive.ArchiveWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jbuild save [-o FILE|-] IMAGE...}: stored images as one tar that docker, podman and skopeo load. */
@Command(name = "save", mixinStandardHelpOptions = true,
    description = "Save images to a tar archive: docker-archive (docker load) that is also an OCI layout, or oci-archive.")
final class SaveCommand implements Callable<Integer> {
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
      description = "Where to write the archive; - (the default) is stdout, which must not be a terminal.")
  String output;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "docker-archive",
      description = "docker-archive (default; manifest.json plus an OCI layout in one tar) or oci-archive.")
  String format;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Which manifest to save of an image stored as an index (default: the host's).")
  String platform;

  @Parameters(arity = "1..*", paramLabel = "IMAGE",
      description = "Images in the local store (name, ID prefix, sha256: digest or name@digest); they share layers.")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    ArchiveFormat f = switch (format) {
      case "docker-archive", "docker" -> ArchiveFormat.DOCKER_ARCHIVE;
      case "oci-archive", "oci" -> ArchiveFormat.OCI_ARCHIVE;
      default -> throw new Errors.UserError("unknown --format \"" + format + "\": use docker-archive or oci-archive");
    };
    Platform wanted = ArchiveStreams.platform(platform);
    try (Store store = parent.global.openStore()) {
      List<ArchiveWriter.NamedImage> named = new ArrayList<>();
      for (String image : images) {
        ImageArgs.Target target = ImageArgs.resolveToRead(store, image);
        StoredImages.StoredImage stored = StoredImages.read(store.blobs(), target.descriptor(), wanted, image);
        named.add(new ArchiveWriter.NamedImage(repoTag(target), stored));
      }
      try (ArchiveStreams.Output out = ArchiveStreams.Output.open(output, "an image archive")) {
        ArchiveWriter.write(store.blobs(), named, f, out.stream());
        out.commit();
      }
    }
    return 0;
  }

  /**
   * The name the archive gives the image: the stored tag the user named, none for an ID or a digest (as docker
   * save writes it; docker load refuses a RepoTag that is not NAME:TAG).
   */
  private static String repoTag(ImageArgs.Target target) {
    return target.name() != null && LocalImages.parse(target.name()).digest() == null ? target.name() : null;
  }
}
