package dev.jbuild.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The one way the store's packages make a rename or unlink durable. */
public final class Durability {
  private Durability() {}

  /** Syncs {@code dir}, so a crash cannot undo a committed rename or unlink in it. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some filesystems refuse to open or sync a directory; the rename itself is still atomic there.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }
}
