package dev.jbuild.store.apply;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** A comparable description of a tree: per path its type, mode, owner, size, content hash, link target, mtime. */
final class TreeSnapshot {
  private TreeSnapshot() {}

  static Map<String, String> of(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Map<Object, TreeSet<String>> inodes = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (!dir.equals(root)) {
          visit(dir);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        visit(file);
        return FileVisitResult.CONTINUE;
      }

      private void visit(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,ino,nlink,lastModifiedTime,rdev",
            LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String rel = root.relativize(p).toString();
        StringBuilder d = new StringBuilder(String.format("%07o %s:%s", mode, a.get("uid"), a.get("gid")));
        d.append(" mtime=").append(((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond());
        int type = mode & 0170000;
        if (type == 0100000) {
          d.append(" size=").append(a.get("size")).append(" sha=").append(sha(p));
          if ((Integer) a.get("nlink") > 1) {
            inodes.computeIfAbsent(a.get("ino"), k -> new TreeSet<>()).add(rel);
          }
        } else if (type == 0120000) {
          d.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (type != 0040000) {
          d.append(" rdev=").append(a.get("rdev"));
        }
        out.put(rel, d.toString());
      }
    });
    for (TreeSet<String> group : inodes.values()) {
      for (String rel : group) {
        out.put(rel, out.get(rel) + " links=" + group);
      }
    }
    return out;
  }

  /** Sets an mtime without following a symlink. */
  static void touch(Path p, long seconds) throws IOException {
    FileTime t = FileTime.fromMillis(seconds * 1000);
    Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
  }

  private static String sha(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A tree with every kind of entry a layer holds: files with special modes, an empty directory, relative,
   * absolute and dangling symlinks, a hard link, a fifo, names longer than 100 bytes and non-ASCII names.
   */
  static Path sampleTree(Path src) throws IOException, InterruptedException {
    Files.createDirectories(src.resolve("a/sticky"));
    Files.writeString(src.resolve("a/file.txt"), "hello\n".repeat(1000));
    Files.write(src.resolve("a/random.bin"), new java.util.Random(7).ints(200_000).collect(
        java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (x, y) -> x.writeBytes(y.toByteArray()))
        .toByteArray());
    Files.writeString(src.resolve("a/exec.sh"), "#!/bin/sh\necho hi\n");
    Files.writeString(src.resolve("a/setuid"), "s");
    Files.writeString(src.resolve("a/empty-file"), "");
    Files.createDirectory(src.resolve("empty"));
    Files.createSymbolicLink(src.resolve("a/link"), Path.of("file.txt"));
    Files.createSymbolicLink(src.resolve("abs"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(src.resolve("dangling"), Path.of("nothere"));
    Files.createLink(src.resolve("a/hard"), src.resolve("a/file.txt"));
    String longDir = "d".repeat(120);
    Files.createDirectories(src.resolve(longDir));
    Files.writeString(src.resolve(longDir + "/" + "f".repeat(150)), "long");
    Files.writeString(src.resolve("ünïcødé-日本.txt"), "non-ascii");
    Process p = new ProcessBuilder("mknod", src.resolve("pipe").toString(), "p").start();
    if (p.waitFor() != 0) {
      throw new IOException("mknod failed");
    }
    Files.setAttribute(src.resolve("a/exec.sh"), "unix:mode", 0755);
    Files.setAttribute(src.resolve("a/setuid"), "unix:mode", 04755);
    Files.setAttribute(src.resolve("a/sticky"), "unix:mode", 01777);
    Files.setAttribute(src.resolve("empty"), "unix:mode", 0700);
    Files.setAttribute(src.resolve("a/random.bin"), "unix:uid", 1000);
    Files.setAttribute(src.resolve("a/random.bin"), "unix:gid", 1000);
    long t = 1_650_000_000L;
    try (var s = Files.walk(src)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!q.getFileName().toString().equals("pipe")) {
          touch(q, t++);
        }
      }
    }
    new ProcessBuilder("touch", "-h", "-d", "@1650000999", src.resolve("pipe").toString()).start().waitFor();
    touch(src, t);
    return src;
  }
}
