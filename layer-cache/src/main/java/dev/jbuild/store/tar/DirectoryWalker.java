package dev.jbuild.store.tar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a directory tree into {@link LayerEntry}s from lstat: mode, numeric owner, mtime, device numbers; hard links
 * (same device and inode) become link entries to the first path in tar order; symlinks are never followed.
 *
 * <p>Extended attributes: the JDK reads only the {@code user.} namespace, so when {@code getfattr} is installed one
 * batched run of it over the tree also supplies {@code security.capability} and {@code trusted.*} (see {@link
 * Getfattr#kept} for what is dropped); without it only {@code user.*} attributes are kept.
 */
final class DirectoryWalker {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFIFO = 0010000;

  private DirectoryWalker() {}

  static List<LayerEntry> walk(Path root, String prefix) throws IOException {
    String base = normalisePrefix(prefix);
    Path start = root.toAbsolutePath().normalize();
    BasicFileAttributes rootAttrs = Files.readAttributes(start, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!rootAttrs.isDirectory()) {
      throw new IOException(root + " is not a directory");
    }
    Map<Path, Map<String, byte[]>> allXattrs = Getfattr.readTree(start);
    List<Raw> raws = new ArrayList<>();
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (!dir.equals(start) || !base.isEmpty()) {
          add(dir);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        add(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        throw exc;
      }

      private void add(Path p) throws IOException {
        String rel = start.relativize(p).toString();
        String path = base.isEmpty() ? rel : rel.isEmpty() ? base : base + "/" + rel;
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        raws.add(new Raw(path, p, a, allXattrs != null, allXattrs == null ? null : allXattrs.get(p)));
      }
    });

    raws.sort((x, y) -> LayerTarWriter.comparePaths(x.path, y.path));
    Map<String, String> firstByInode = new HashMap<>();
    List<LayerEntry> out = new ArrayList<>(raws.size());
    for (Raw r : raws) {
      LayerEntry e = r.toEntry(firstByInode);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  private static String normalisePrefix(String prefix) {
    if (prefix == null) {
      return "";
    }
    String p = prefix;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (!p.isEmpty()) {
      // Validates it the way every entry path is validated.
      LayerEntry.directory(p, 0755, 0, 0, Instant.EPOCH);
    }
    return p;
  }

  /** One lstat result, kept until the entries are sorted so hard links point at the first path in tar order. */
  private record Raw(
      String path, Path file, Map<String, Object> attrs, boolean toolRan, Map<String, byte[]> toolXattrs) {
    LayerEntry toEntry(Map<String, String> firstByInode) throws IOException {
      int mode = (Integer) attrs.get("mode");
      int perms = mode & 07777;
      long uid = ((Number) attrs.get("uid")).longValue();
      long gid = ((Number) attrs.get("gid")).longValue();
      Instant mtime = ((FileTime) attrs.get("lastModifiedTime")).toInstant();
      long rdev = ((Number) attrs.get("rdev")).longValue();
      switch (mode & S_IFMT) {
        case S_IFDIR:
          return new LayerEntry(path, LayerEntry.Type.DIRECTORY, null, 0, perms, uid, gid, mtime, null, 0, 0, xattrs(true));
        case S_IFREG: {
          int nlink = ((Number) attrs.get("nlink")).intValue();
          if (nlink > 1) {
            String key = attrs.get("dev") + ":" + attrs.get("ino");
            String first = firstByInode.putIfAbsent(key, path);
            if (first != null) {
              return new LayerEntry(path, LayerEntry.Type.HARDLINK, null, 0, perms, uid, gid, mtime, first, 0, 0, null);
            }
          }
          long size = ((Number) attrs.get("size")).longValue();
          return new LayerEntry(path, LayerEntry.Type.REGULAR, file, size, perms, uid, gid, mtime, null, 0, 0, xattrs(true));
        }
        case S_IFLNK: {
          // The target verbatim: absolute targets such as var/run -> /run are normal in images.
          String target = Files.readSymbolicLink(file).toString();
          return new LayerEntry(path, LayerEntry.Type.SYMLINK, null, 0, perms, uid, gid, mtime, target, 0, 0, xattrs(false));
        }
        case S_IFIFO:
          return new LayerEntry(path, LayerEntry.Type.FIFO, null, 0, perms, uid, gid, mtime, null, 0, 0, xattrs(false));
        case S_IFCHR:
        case S_IFBLK: {
          LayerEntry.Type t = (mode & S_IFMT) == S_IFCHR ? LayerEntry.Type.CHAR_DEVICE : LayerEntry.Type.BLOCK_DEVICE;
          return new LayerEntry(path, t, null, 0, perms, uid, gid, mtime, null, major(rdev), minor(rdev), xattrs(false));
        }
        case S_IFSOCK:
        default:
          return null; // sockets cannot be archived; tar and docker skip them too
      }
    }

    /**
     * The tool's full set when getfattr ran; otherwise user.* through the JDK, only for files and directories
     * (the JDK opens the file to read them, which would block on a fifo and cannot be done on a symlink).
     */
    private Map<String, byte[]> xattrs(boolean canOpen) {
      if (toolRan) {
        return toolXattrs;
      }
      if (!canOpen) {
        return null;
      }
      try {
        UserDefinedFileAttributeView view =
            Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
          return null;
        }
        List<String> names = view.list();
        if (names.isEmpty()) {
          return null;
        }
        Map<String, byte[]> out = new TreeMap<>();
        for (String n : names) {
          ByteBuffer buf = ByteBuffer.allocate(view.size(n));
          view.read(n, buf);
          out.put("user." + n, buf.array());
        }
        return out;
      } catch (FileSystemException | UnsupportedOperationException e) {
        return null; // no xattr support on this filesystem
      } catch (IOException e) {
        return null;
      }
    }
  }

  /** glibc's gnu_dev_major: 12 bits at 8..19 plus the high bits from 32 up. */
  static int major(long dev) {
    return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
  }

  /** glibc's gnu_dev_minor: 8 low bits plus 12 bits from 20 up. */
  static int minor(long dev) {
    return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
  }
}
