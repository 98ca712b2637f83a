package dev.jbuild.builder.internal;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.cache.SourceItem;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Content hashes of parts of the build context, through the stat cache (DESIGN §4). */
final class ContextDigests {
  private ContextDigests() {}

  /**
   * The hash of the tree at {@code top} (a file, dir or symlink under {@code contextRoot}): paths relative to
   * {@code top}, types, modes, owners, contents and link targets; not mtimes. Symlinks are not followed.
   */
  static Digest tree(ContextHasher hasher, Path contextRoot, Path top) throws IOException {
    List<SourceItem> items = new ArrayList<>();
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        items.add(item(dir, attrs));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        items.add(item(file, attrs));
        return FileVisitResult.CONTINUE;
      }

      private SourceItem item(Path p, BasicFileAttributes attrs) throws IOException {
        String rel = top.relativize(p).toString();
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode") & 07777;
        long uid = (Integer) a.get("uid");
        long gid = (Integer) a.get("gid");
        if (attrs.isSymbolicLink()) {
          return SourceItem.symlink(rel, Files.readSymbolicLink(p).toString(), uid, gid);
        }
        if (attrs.isDirectory()) {
          return SourceItem.directory(rel, mode, uid, gid);
        }
        if (attrs.isRegularFile()) {
          return SourceItem.file(rel, contextRoot.relativize(p), mode, uid, gid);
        }
        return SourceItem.directory(rel + " (special)", mode, uid, gid);
      }
    });
    return hasher.treeDigest(items);
  }
}
