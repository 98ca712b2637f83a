package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark image for {@code bench/registry.sh}: {@code java BenchImage STORE NAME LAYERS MIB_PER_LAYER},
 * uncompressed layers of half-random files, as a build would leave them in the store.
 */
public final class BenchImage {
  private BenchImage() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      throw new IllegalArgumentException("usage: BenchImage STORE NAME LAYERS MIB_PER_LAYER");
    }
    Path root = Path.of(args[0]);
    Path scratch = Files.createTempDirectory("bench-image-");
    try (Store store = Store.open(root)) {
      Descriptor manifest = SyntheticImages.write(store, args[1], Platform.host(), Integer.parseInt(args[2]),
          Long.parseLong(args[3]) << 20, 20240101, scratch);
      System.out.println(manifest.digest());
    } finally {
      try (var paths = Files.walk(scratch)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
