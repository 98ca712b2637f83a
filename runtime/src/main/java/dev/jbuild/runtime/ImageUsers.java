package dev.jbuild.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Resolves {@code USER} values ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}) through an image's
 * {@code /etc/passwd} and {@code /etc/group}, as docker does. The files are read inside the image's root: a symlink
 * in them, even an absolute one, is followed relative to that root, so an image cannot make jbuild read a host
 * file (case X05).
 */
public final class ImageUsers {
  private static final long MAX_FILE = 4L << 20;
  private static final int MAX_HOPS = 40;
  /** name:password:uid:gid:gecos:home:shell */
  private static final int PASSWD_FIELDS = 7;
  /** name:password:gid:members */
  private static final int GROUP_FIELDS = 4;

  private ImageUsers() {}

  /** A resolved user: its uid, primary gid, and supplementary groups (the primary one first, then /etc/group). */
  public record Ids(long uid, long gid, List<Long> additionalGids) {
    public Ids {
      additionalGids = List.copyOf(additionalGids);
    }
  }

  /**
   * Resolves {@code user} (empty means root) in the filesystem at {@code root}.
   *
   * @throws ContainerException naming the user or group that has no entry
   */
  public static Ids resolve(Path root, String user) throws ContainerException {
    if (user == null || user.isEmpty()) {
      user = "0";
    }
    int colon = user.indexOf(':');
    String name = colon < 0 ? user : user.substring(0, colon);
    String group = colon < 0 ? null : user.substring(colon + 1);
    List<String[]> passwd = read(root, "etc/passwd", PASSWD_FIELDS);
    List<String[]> groups = read(root, "etc/group", GROUP_FIELDS);
    long uid;
    long gid = 0;
    String userName = null;
    Optional<String[]> entry = find(passwd, name, 2);
    if (entry.isPresent()) {
      uid = number(entry.get()[2], "uid", user);
      gid = number(entry.get()[3], "gid", user);
      userName = entry.get()[0];
    } else if (isNumber(name)) {
      uid = number(name, "uid", user);
    } else {
      throw new ContainerException("unable to find user " + name + ": no matching entries in passwd file");
    }
    if (group != null && !group.isEmpty()) {
      Optional<String[]> g = find(groups, group, 2);
      if (g.isPresent()) {
        gid = number(g.get()[2], "gid", user);
      } else if (isNumber(group)) {
        gid = number(group, "gid", user);
      } else {
        throw new ContainerException("unable to find group " + group + ": no matching entries in group file");
      }
    }
    // The primary group is a supplementary group too, as containerd and BuildKit set it since CVE-2023-25173:
    // otherwise the runtime may leave the process with the groups of its parent (root's).
    List<Long> extra = new ArrayList<>(List.of(gid));
    if (userName != null && (group == null || group.isEmpty())) {
      for (String[] g : groups) {
        if (List.of(g[3].split(",")).contains(userName) && isNumber(g[2])) {
          long id = Long.parseLong(g[2]);
          if (!extra.contains(id)) {
            extra.add(id);
          }
        }
      }
    }
    return new Ids(uid, gid, extra);
  }

  /** The passwd entry of {@code name} or uid, or a group entry by name or gid ({@code idField}). */
  private static Optional<String[]> find(List<String[]> entries, String key, int idField) {
    for (String[] e : entries) {
      if (e[0].equals(key)) {
        return Optional.of(e);
      }
    }
    if (isNumber(key)) {
      for (String[] e : entries) {
        if (e.length > idField && e[idField].equals(key)) {
          return Optional.of(e);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The entries of {@code /rel}, each padded to {@code fields} fields: a short line ({@code short:x:1234}) has its
   * missing fields empty, as in docker (runc's user package), and an empty id counts as 0. A line without even an
   * id field is no entry (docker would read its uid as 0: root for a typo).
   */
  private static List<String[]> read(Path root, String rel, int fields) throws ContainerException {
    List<String[]> out = new ArrayList<>();
    Optional<Path> file;
    try {
      file = resolveInRoot(root, rel);
    } catch (IOException e) {
      throw new ContainerException("cannot read /" + rel + " of the image: " + e.getMessage(), e);
    }
    if (file.isEmpty() || !Files.isRegularFile(file.get(), LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file.get(), LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes((int) MAX_FILE + 1);
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new ContainerException("cannot read /" + rel + " of the image: " + e.getMessage(), e);
    }
    if (bytes.length > MAX_FILE) {
      throw new ContainerException("/" + rel + " of the image is larger than " + (MAX_FILE >> 20) + " MiB");
    }
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":", -1);
      if (f.length >= 3) {
        String[] padded = Arrays.copyOf(f, Math.max(f.length, fields));
        Arrays.fill(padded, f.length, padded.length, "");
        out.add(padded);
      }
    }
    return out;
  }

  /**
   * {@code rel} resolved inside {@code root}: {@code ..} stops at the root and symlinks are followed as if
   * {@code root} were {@code /}. Empty when a component is missing.
   */
  public static Optional<Path> resolveInRoot(Path root, String rel) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    for (String p : rel.split("/")) {
      if (!p.isEmpty()) {
        todo.addLast(p);
      }
    }
    List<String> done = new ArrayList<>();
    int hops = 0;
    while (!todo.isEmpty()) {
      String part = todo.removeFirst();
      if (part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Path here = root.resolve(String.join("/", done)).resolve(part);
      if (Files.isSymbolicLink(here)) {
        if (++hops > MAX_HOPS) {
          throw new IOException("too many levels of symbolic links at /" + String.join("/", done) + "/" + part);
        }
        String target = Files.readSymbolicLink(here).toString();
        List<String> parts = new ArrayList<>();
        for (String p : target.split("/")) {
          if (!p.isEmpty()) {
            parts.add(p);
          }
        }
        if (target.startsWith("/")) {
          done.clear();
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        continue;
      }
      if (!Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      done.add(part);
    }
    return Optional.of(done.isEmpty() ? root : root.resolve(String.join("/", done)));
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 10;
  }

  private static long number(String s, String what, String user) throws ContainerException {
    if (s.isEmpty()) {
      return 0; // a missing or empty field, as docker reads it
    }
    if (!isNumber(s) || Long.parseLong(s) > 0xFFFF_FFFEL) {
      throw new ContainerException("invalid " + what + " \"" + s + "\" for user " + user);
    }
    return Long.parseLong(s);
  }
}
