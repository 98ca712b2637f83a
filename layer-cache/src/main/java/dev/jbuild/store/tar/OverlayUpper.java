package dev.jbuild.store.tar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an overlayfs upper directory into layer entries: what a RUN step changed, without scanning the whole
 * filesystem (the way BuildKit and buildah diff, unlike kaniko). Overlay's own markers become OCI whiteouts:
 * <ul>
 *   <li>a character device 0/0, or a file carrying {@code trusted.overlay.whiteout} / {@code
 *       user.overlay.whiteout} (rootless overlay with {@code userxattr}), becomes {@code .wh.NAME};
 *   <li>a directory marked opaque ({@code trusted.overlay.opaque} / {@code user.overlay.opaque} = {@code y})
 *       keeps its entry and gains {@code DIR/.wh..wh..opq};
 *   <li>every {@code *.overlay.*} xattr is dropped, so no layer can carry overlay control data to another mount.
 * </ul>
 */
final class OverlayUpper {
  private static final String[] WHITEOUT_XATTRS = {"trusted.overlay.whiteout", "user.overlay.whiteout"};
  private static final String[] OPAQUE_XATTRS = {"trusted.overlay.opaque", "user.overlay.opaque"};

  private OverlayUpper() {}

  static List<LayerEntry> entries(Path upper) throws IOException {
    List<LayerEntry> out = new ArrayList<>();
    for (LayerEntry e : DirectoryWalker.walk(upper, "")) {
      Map<String, byte[]> xattrs = e.xattrs();
      if (isWhiteout(e)) {
        out.add(whiteout(e, LayerEntry.WHITEOUT_PREFIX + baseName(e.path())));
        continue;
      }
      LayerEntry kept = e.withXattrs(withoutOverlayXattrs(xattrs));
      out.add(kept);
      if (e.type() == LayerEntry.Type.DIRECTORY && hasY(xattrs, OPAQUE_XATTRS)) {
        out.add(whiteout(e, baseName(e.path()) + "/" + LayerEntry.OPAQUE_WHITEOUT));
      }
    }
    out.sort((a, b) -> LayerTarWriter.comparePaths(a.path(), b.path()));
    return out;
  }

  private static boolean isWhiteout(LayerEntry e) {
    if (e.type() == LayerEntry.Type.CHAR_DEVICE && e.devMajor() == 0 && e.devMinor() == 0) {
      return true;
    }
    for (String name : WHITEOUT_XATTRS) {
      if (e.xattrs().containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasY(Map<String, byte[]> xattrs, String[] names) {
    for (String name : names) {
      byte[] v = xattrs.get(name);
      if (v != null && Arrays.equals(v, "y".getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, byte[]> withoutOverlayXattrs(Map<String, byte[]> xattrs) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    xattrs.forEach((k, v) -> {
      if (!k.startsWith("trusted.overlay.") && !k.startsWith("user.overlay.")) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** An empty regular file named {@code name} next to (or, for opaque markers, inside) {@code e}'s path. */
  private static LayerEntry whiteout(LayerEntry e, String name) {
    int slash = e.path().lastIndexOf('/');
    String path = slash < 0 ? name : e.path().substring(0, slash + 1) + name;
    return new LayerEntry(path, LayerEntry.Type.REGULAR, null, 0, 0, 0, 0, e.mtime(), null, 0, 0, Map.of());
  }

  private static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
