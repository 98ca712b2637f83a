package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.archive.RootfsExporter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jbuild export IMAGE [-o FILE|-]}: the image's filesystem, layers flattened, as one tar. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export an image's flattened filesystem as a tar, like docker export of a container made from it.")
final class ExportCommand implements Callable<Integer> {
  @picocli.CommandLine.ParentCommand JbuildCommand parent;

  @Parameters(index = "0", paramLabel = "IMAGE") String image;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
      description = "Where to write the tar; - (the default) is stdout, which must not be a terminal.")
  String output;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Which manifest to export of an image stored as an index (default: the host's).")
  String platform;

  @Option(names = "--rootfs-only",
      description = "Only the image's files: leave out what docker adds to a container (.dockerenv, dev/, proc/, sys/,"
          + " etc/hostname, etc/hosts, etc/resolv.conf, etc/mtab).")
  boolean rootfsOnly;

  @Override
  public Integer call() throws Exception {
    try (Store store = parent.global.openStore()) {
      Descriptor d = ImageArgs.resolveToRead(store, image).descriptor();
      StoredImages.StoredImage stored = StoredImages.read(store.blobs(), d, ArchiveStreams.platform(platform), image);
      try (ArchiveStreams.Output out = ArchiveStreams.Output.open(output, "a filesystem tar")) {
        RootfsExporter.export(store.blobs(), stored, !rootfsOnly, out.stream());
        out.commit();
      }
    }
    return 0;
  }
}
