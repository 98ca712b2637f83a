package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A build context that arrives as a stream ({@code jbuild build -}): spooled to disk, then unpacked with the layer
 * applier (no entry can land outside the new directory, sizes capped) when it is a tar, plain or compressed. A
 * stream that is not an archive is a lone Dockerfile with an empty context, as docker treats it.
 */
final class ContextArchive {
  /** Cap on the spooled stream and on the unpacked context. */
  static final long MAX_BYTES = ApplyOptions.DEFAULT_MAX_BYTES;

  /** Where things landed: the context directory, the Dockerfile when the stream was one, and what to delete. */
  record Unpacked(Path context, Path dockerfile, Path owned) {}

  private ContextArchive() {}

  static Unpacked unpack(InputStream in, Path scratchParent) throws BuildException {
    Path owned = scratchParent.resolve("context-" + UUID.randomUUID());
    try {
      Files.createDirectories(owned);
      Path spool = owned.resolve("stream");
      long total = 0;
      byte[] buf = new byte[128 * 1024];
      try (OutputStream out = Files.newOutputStream(spool, StandardOpenOption.CREATE_NEW)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          total += n;
          if (total > MAX_BYTES) {
            throw new BuildException("the build context stream is larger than " + (MAX_BYTES >> 30) + " GiB");
          }
          out.write(buf, 0, n);
        }
      }
      Path context = Files.createDirectory(owned.resolve("context"));
      if (!Archives.isArchive(spool)) {
        return new Unpacked(context, Files.move(spool, owned.resolve("Dockerfile")), owned);
      }
      try {
        Archives.unpack(spool, context, ApplyOptions.defaults().withMaxBytes(MAX_BYTES));
      } catch (IOException e) {
        throw new BuildException("cannot unpack the build context archive: " + e.getMessage(), e);
      }
      Files.delete(spool);
      return new Unpacked(context, null, owned);
    } catch (IOException e) {
      delete(owned);
      throw new BuildException("cannot read the build context stream into " + owned + ": " + e.getMessage(), e);
    } catch (BuildException | RuntimeException e) {
      delete(owned);
      throw e;
    }
  }

  static void delete(Path owned) {
    if (owned == null) {
      return;
    }
    try {
      LayerApplier.deleteTree(owned);
    } catch (IOException e) {
      // left for the store's temp sweeper
    }
  }
}
