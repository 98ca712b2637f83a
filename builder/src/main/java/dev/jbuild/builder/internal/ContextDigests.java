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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Content hashes of parts of the build context, through the stat cache (DESIGN §4). */
final class ContextDigests {
  private ContextDigests() {}

  /**
   * The hash of the tree at {@code top} (a file, dir or symlink under {@code contextRoot}): paths relative to
   * {@code top}, types, modes, owners, contents and link targets; not mtimes. Symlinks are not followed. Entries
   * {@code ignore} leaves out of the context (its .dockerignore) are left out here too, as a mount shows them.
   */
  static Digest tree(ContextHasher hasher, Path contextRoot, Path top, PatternMatcher ignore) throws IOException {
    List<SourceItem> items = new ArrayList<>();
    walk(contextRoot, top, ignore, new Visitor() {
      @Override
      public void visit(Path p, BasicFileAttributes attrs) throws IOException {
        String rel = top.relativize(p).toString();
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode") & 07777;
        long uid = (Integer) a.get("uid");
        long gid = (Integer) a.get("gid");
        if (attrs.isSymbolicLink()) {
          items.add(SourceItem.symlink(rel, Files.readSymbolicLink(p).toString(), uid, gid));
        } else if (attrs.isDirectory()) {
          items.add(SourceItem.directory(rel, mode, uid, gid));
        } else if (attrs.isRegularFile()) {
          items.add(SourceItem.file(rel, contextRoot.relativize(p), mode, uid, gid));
        } else {
          items.add(SourceItem.directory(rel + " (special)", mode, uid, gid));
        }
      }
    });
    return hasher.treeDigest(items);
  }

  /** Whether {@code ignore} leaves out anything at or under {@code top} (inside {@code contextRoot}). */
  static boolean hidesAnything(Path contextRoot, Path top, PatternMatcher ignore) throws IOException {
    if (ignore.isEmpty()) {
      return false;
    }
    boolean[] hides = {false};
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (ignored(contextRoot, dir, true, ignore)) {
          hides[0] = true;
          return FileVisitResult.TERMINATE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (ignored(contextRoot, file, attrs.isDirectory(), ignore)) {
          hides[0] = true;
          return FileVisitResult.TERMINATE;
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return hides[0];
  }

  /**
   * Makes {@code dest} (a new, empty directory) a copy of the directory {@code top} without what {@code ignore}
   * leaves out: files are hard links where the filesystem allows (else copies), symlinks are made anew with their
   * targets, directories keep their modes. Special files are left out (a mount of the context never needs them).
   */
  static void mirror(Path contextRoot, Path top, PatternMatcher ignore, Path dest) throws IOException {
    walk(contextRoot, top, ignore, new Visitor() {
      @Override
      public void visit(Path p, BasicFileAttributes attrs) throws IOException {
        Path to = dest.resolve(top.relativize(p).toString());
        if (attrs.isDirectory()) {
          if (!p.equals(top)) {
            Files.createDirectory(to);
          }
        } else if (attrs.isSymbolicLink()) {
          Files.createSymbolicLink(to, Files.readSymbolicLink(p));
        } else if (attrs.isRegularFile()) {
          try {
            Files.createLink(to, p);
          } catch (IOException | UnsupportedOperationException e) {
            Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
          }
        }
      }

      @Override
      public void leave(Path dir) throws IOException {
        Path to = dest.resolve(top.relativize(dir).toString());
        Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
        Files.setLastModifiedTime(to, Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS));
      }
    });
  }

  private interface Visitor {
    void visit(Path p, BasicFileAttributes attrs) throws IOException;

    default void leave(Path dir) throws IOException {}
  }

  /** Walks {@code top} without following symlinks, skipping what {@code ignore} leaves out of the context. */
  private static void walk(Path contextRoot, Path top, PatternMatcher ignore, Visitor v) throws IOException {
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (!dir.equals(top) && ignored(contextRoot, dir, true, ignore)) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        v.visit(dir, attrs);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!ignored(contextRoot, file, attrs.isDirectory(), ignore)) {
          v.visit(file, attrs);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        v.leave(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Whether the context leaves {@code p} out ({@link PatternMatcher#leavesOut}, as {@link DirTree} reads it). */
  static boolean ignored(Path contextRoot, Path p, boolean directory, PatternMatcher ignore) {
    return !ignore.isEmpty() && !p.equals(contextRoot)
        && ignore.leavesOut(contextRoot.relativize(p).toString(), directory);
  }
}
