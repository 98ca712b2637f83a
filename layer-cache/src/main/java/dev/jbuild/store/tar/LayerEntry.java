package dev.jbuild.store.tar;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of a layer tar.
 *
 * @param path in-layer path: relative, "/"-separated, no leading or trailing "/", no "." or ".." components
 * @param type what the entry is
 * @param source where a REGULAR entry's content is read from (streamed); may be null only for an empty file
 * @param size content size of a REGULAR entry; 0 for every other type
 * @param mode permission bits including setuid, setgid and sticky (0 to 07777); no file-type bits
 * @param uid numeric owner; tars carry no user names
 * @param gid numeric group
 * @param mtime modification time; clamped to SOURCE_DATE_EPOCH and truncated to seconds when written
 * @param linkTarget SYMLINK: the target verbatim; HARDLINK: the in-layer path of the first link
 * @param devMajor device major number (CHAR_DEVICE, BLOCK_DEVICE)
 * @param devMinor device minor number
 * @param xattrs extended attributes by full name ({@code security.capability}, {@code user.x}); sorted
 */
public record LayerEntry(
    String path,
    Type type,
    Path source,
    long size,
    int mode,
    long uid,
    long gid,
    Instant mtime,
    String linkTarget,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs) {

  /** A layer entry named {@code .wh.NAME} deletes {@code NAME} from the layers below (OCI image spec, whiteouts). */
  public static final String WHITEOUT_PREFIX = ".wh.";
  /** A layer entry {@code DIR/.wh..wh..opq} hides everything the layers below hold in {@code DIR}. */
  public static final String OPAQUE_WHITEOUT = ".wh..wh..opq";

  /** Entry types a layer may hold (sockets cannot be archived). */
  public enum Type {
    REGULAR,
    DIRECTORY,
    SYMLINK,
    HARDLINK,
    FIFO,
    CHAR_DEVICE,
    BLOCK_DEVICE
  }

  public LayerEntry {
    Objects.requireNonNull(type, "type");
    checkPath(path, "path");
    Objects.requireNonNull(mtime, "mtime for " + path);
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException(
          "mode " + Integer.toOctalString(mode) + " of " + path + " is outside 0..07777 (no file-type bits)");
    }
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("negative uid/gid for " + path);
    }
    if (type == Type.REGULAR) {
      if (size < 0) {
        throw new IllegalArgumentException("negative size for " + path);
      }
      if (source == null && size != 0) {
        throw new IllegalArgumentException("regular file " + path + " of " + size + " bytes has no source");
      }
    } else {
      size = 0;
      source = null;
    }
    if (type == Type.SYMLINK) {
      if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("symlink " + path + " needs a target");
      }
    } else if (type == Type.HARDLINK) {
      checkPath(linkTarget, "hardlink target of " + path);
    } else {
      linkTarget = null;
    }
    if (type == Type.CHAR_DEVICE || type == Type.BLOCK_DEVICE) {
      if (devMajor < 0 || devMinor < 0) {
        throw new IllegalArgumentException("negative device number for " + path);
      }
    } else {
      devMajor = 0;
      devMinor = 0;
    }
    TreeMap<String, byte[]> copy = new TreeMap<>();
    if (xattrs != null) {
      xattrs.forEach((k, v) -> {
        if (k == null || k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0 || v == null) {
          throw new IllegalArgumentException("invalid xattr \"" + k + "\" on " + path);
        }
        copy.put(k, v.clone());
      });
    }
    xattrs = Collections.unmodifiableMap(copy);
  }

  private static void checkPath(String p, String what) {
    if (p == null || p.isEmpty()) {
      throw new IllegalArgumentException("empty " + what);
    }
    if (p.startsWith("/") || p.endsWith("/") || p.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " \"" + p + "\" must be relative, without a trailing slash");
    }
    for (String part : p.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException(what + " \"" + p + "\" has an empty, \".\" or \"..\" component");
      }
    }
  }

  public static LayerEntry directory(String path, int mode, long uid, long gid, Instant mtime) {
    return new LayerEntry(path, Type.DIRECTORY, null, 0, mode, uid, gid, mtime, null, 0, 0, null);
  }

  public static LayerEntry file(String path, Path source, long size, int mode, long uid, long gid, Instant mtime) {
    return new LayerEntry(path, Type.REGULAR, source, size, mode, uid, gid, mtime, null, 0, 0, null);
  }

  /** A symlink; its mode is conventionally 0777. */
  public static LayerEntry symlink(String path, String target, long uid, long gid, Instant mtime) {
    return new LayerEntry(path, Type.SYMLINK, null, 0, 0777, uid, gid, mtime, target, 0, 0, null);
  }

  /** A hard link to {@code target}, an earlier entry of the same layer (or a file of a lower layer). */
  public static LayerEntry hardlink(String path, String target, int mode, long uid, long gid, Instant mtime) {
    return new LayerEntry(path, Type.HARDLINK, null, 0, mode, uid, gid, mtime, target, 0, 0, null);
  }

  public static LayerEntry fifo(String path, int mode, long uid, long gid, Instant mtime) {
    return new LayerEntry(path, Type.FIFO, null, 0, mode, uid, gid, mtime, null, 0, 0, null);
  }

  public static LayerEntry device(
      String path, Type type, int major, int minor, int mode, long uid, long gid, Instant mtime) {
    if (type != Type.CHAR_DEVICE && type != Type.BLOCK_DEVICE) {
      throw new IllegalArgumentException("not a device type: " + type);
    }
    return new LayerEntry(path, type, null, 0, mode, uid, gid, mtime, null, major, minor, null);
  }

  public LayerEntry withPath(String newPath) {
    return new LayerEntry(newPath, type, source, size, mode, uid, gid, mtime, linkTarget, devMajor, devMinor, xattrs);
  }

  public LayerEntry withMode(int newMode) {
    return new LayerEntry(path, type, source, size, newMode, uid, gid, mtime, linkTarget, devMajor, devMinor, xattrs);
  }

  public LayerEntry withOwner(long newUid, long newGid) {
    return new LayerEntry(path, type, source, size, mode, newUid, newGid, mtime, linkTarget, devMajor, devMinor, xattrs);
  }

  public LayerEntry withMtime(Instant newMtime) {
    return new LayerEntry(path, type, source, size, mode, uid, gid, newMtime, linkTarget, devMajor, devMinor, xattrs);
  }

  public LayerEntry withXattrs(Map<String, byte[]> newXattrs) {
    return new LayerEntry(path, type, source, size, mode, uid, gid, mtime, linkTarget, devMajor, devMinor, newXattrs);
  }

  public LayerEntry withLinkTarget(String newTarget) {
    return new LayerEntry(path, type, source, size, mode, uid, gid, mtime, newTarget, devMajor, devMinor, xattrs);
  }

  // Records compare arrays by identity; xattr values must compare by content.
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LayerEntry e)) {
      return false;
    }
    if (!(path.equals(e.path) && type == e.type && Objects.equals(source, e.source) && size == e.size
        && mode == e.mode && uid == e.uid && gid == e.gid && mtime.equals(e.mtime)
        && Objects.equals(linkTarget, e.linkTarget) && devMajor == e.devMajor && devMinor == e.devMinor
        && xattrs.keySet().equals(e.xattrs.keySet()))) {
      return false;
    }
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      if (!Arrays.equals(x.getValue(), e.xattrs.get(x.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(path, type, source, size, mode, uid, gid, mtime, linkTarget, devMajor, devMinor);
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      h = 31 * h + x.getKey().hashCode() * 17 + Arrays.hashCode(x.getValue());
    }
    return h;
  }

  @Override
  public String toString() {
    return type + " " + path + (linkTarget != null ? " -> " + linkTarget : "") + " mode=" + Integer.toOctalString(mode)
        + " " + uid + ":" + gid + " size=" + size + " mtime=" + mtime + (xattrs.isEmpty() ? "" : " xattrs=" + xattrs.keySet());
  }
}
