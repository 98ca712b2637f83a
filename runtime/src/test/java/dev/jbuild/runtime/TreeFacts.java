package dev.jbuild.runtime;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a layer tree holds, path by path, as comparable text: type, mode, owner, mtime to the nanosecond, content
 * digest, link target and every xattr except overlay's own bookkeeping ({@code overlay.origin} and
 * {@code overlay.impure}, which the kernel adds to upper dirs and ignores in lower ones). Devices and fifos are
 * compared without their mtime, and whiteouts (character devices 0/0) by kind alone, as overlay reads nothing else.
 */
final class TreeFacts {
  private TreeFacts() {}

  static Map<String, String> of(Path root) throws IOException {
    Map<String, String> facts = new TreeMap<>();
    for (LayerEntry e : LayerTarWriter.fromDirectory(root)) {
      if (e.type() == LayerEntry.Type.CHAR_DEVICE && e.devMajor() == 0 && e.devMinor() == 0) {
        facts.put(e.path(), "whiteout"); // overlay reads only the device number (the kernel makes its own mode 0)
        continue;
      }
      StringBuilder s = new StringBuilder(e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":"
          + e.gid());
      switch (e.type()) {
        case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> s.append(" dev=").append(e.devMajor()).append(',').append(e.devMinor());
        default -> s.append(" mtime=").append(e.mtime());
      }
      if (e.type() == LayerEntry.Type.REGULAR) {
        s.append(" ").append(Digest.sha256Of(Files.readAllBytes(e.source())));
      }
      if (e.linkTarget() != null) {
        s.append(" -> ").append(e.linkTarget());
      }
      new TreeMap<>(e.xattrs()).forEach((k, v) -> {
        if (!k.endsWith("overlay.origin") && !k.endsWith("overlay.impure")) {
          s.append(' ').append(k).append('=').append(HexFormat.of().formatHex(v));
        }
      });
      facts.put(e.path(), s.toString());
    }
    return facts;
  }
}
