package dev.jbuild.store.apply;

/**
 * The one check of a GNU sparse map, for the layer reader and for import and export: a map must describe its file
 * exactly (blocks in order, none overlapping, none past the real size, their lengths adding up to the bytes
 * stored). Anything else is refused rather than guessed at.
 */
public final class SparseMaps {
  private SparseMaps() {}

  /**
   * What is wrong with {@code map} ({offset, length} pairs) for a file of {@code realSize} bytes storing {@code
   * stored}, or null when nothing is.
   */
  public static String problem(long[] map, long realSize, long stored) {
    if (realSize < 0) {
      return "negative sparse file size";
    }
    long end = 0;
    long data = 0;
    for (int i = 0; i < map.length; i += 2) {
      long off = map[i];
      long len = map[i + 1];
      if (off < 0 || len < 0 || off < end || off > realSize || len > realSize - off) {
        return "GNU sparse map block " + (i / 2) + " (offset " + off + ", length " + len
            + ") is out of order, overlapping or past the file's size of " + realSize;
      }
      end = off + len;
      data += len;
    }
    return data == stored ? null : "GNU sparse map describes " + data + " bytes of data, the entry stores " + stored;
  }
}
