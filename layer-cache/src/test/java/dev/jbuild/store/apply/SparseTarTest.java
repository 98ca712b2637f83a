package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GNU sparse entries made by hand: each format read right, and every map that does not describe its file exactly
 * (out of order, overlapping, past the end, not adding up, too many blocks, truncated, too large) refused with the
 * entry named, the victim intact.
 */
class SparseTarTest {
  @TempDir java.nio.file.Path tmp;
  VictimDir v;

  @BeforeEach
  void setUp() throws Exception {
    v = new VictimDir(tmp);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static Map<String, byte[]> pax01(String realName, long size, String map) {
    Map<String, byte[]> pax = new LinkedHashMap<>();
    pax.put("GNU.sparse.major", b("0"));
    pax.put("GNU.sparse.minor", b("1"));
    pax.put("GNU.sparse.name", b(realName));
    pax.put("GNU.sparse.size", b(Long.toString(size)));
    pax.put("GNU.sparse.map", b(map));
    return pax;
  }

  private static Map<String, byte[]> pax10(String realName, long size) {
    Map<String, byte[]> pax = new LinkedHashMap<>();
    pax.put("GNU.sparse.major", b("1"));
    pax.put("GNU.sparse.minor", b("0"));
    pax.put("GNU.sparse.name", b(realName));
    pax.put("GNU.sparse.realsize", b(Long.toString(size)));
    return pax;
  }

  /** The data area of a 1.0 entry: its map, padded to a block, then the data. */
  private static byte[] data10(String map, String data) {
    byte[] m = b(map);
    byte[] out = new byte[(m.length + 511) / 512 * 512 + data.length()];
    System.arraycopy(m, 0, out, 0, m.length);
    System.arraycopy(b(data), 0, out, out.length - data.length(), data.length());
    return out;
  }

  private String content(String name) throws Exception {
    return new String(Files.readAllBytes(v.dest.resolve(name)), StandardCharsets.ISO_8859_1);
  }

  @Test
  void apply_eachSparseFormat_placesTheDataAtItsOffsetsWithZerosBetween() throws Exception {
    Map<String, byte[]> pax00 = new LinkedHashMap<>();
    pax00.put("GNU.sparse.size", b("12"));
    pax00.put("GNU.sparse.numblocks", b("2"));
    byte[] tar = new TarBuilder()
        .withPax("GNUSparseFile.1/a", pax01("a", 10, "2,3,8,2"), b("abcde"))
        .withPax("GNUSparseFile.1/b", pax10("b", 9), data10("2\n0\n1\n5\n2\n", "xyz"))
        .oldGnuSparse("c", 7, new long[] {1, 2, 6, 1}, b("pqr"))
        .bytes();
    // Format 0.0 repeats offset/numbytes records: built by hand since a map cannot hold a key twice.
    byte[] records = concat(TarBuilder.paxData(pax00), b("23 GNU.sparse.offset=1\n"),
        b("25 GNU.sparse.numbytes=2\n"), b("24 GNU.sparse.offset=11\n"), b("25 GNU.sparse.numbytes=1\n"));
    byte[] tar00 = rawPaxEntry("d", records, b("klm"));
    v.apply(concat(java.util.Arrays.copyOf(tar, tar.length - 1024), tar00, new byte[1024]));
    String zero = "\0";
    assertThat(content("a")).isEqualTo(zero.repeat(2) + "abc" + zero.repeat(3) + "de");
    assertThat(content("b")).isEqualTo("x" + zero.repeat(4) + "yz" + zero.repeat(2));
    assertThat(content("c")).isEqualTo(zero + "pq" + zero.repeat(3) + "r");
    assertThat(content("d")).isEqualTo(zero + "kl" + zero.repeat(8) + "m");
    assertThat(Files.exists(v.dest.resolve("GNUSparseFile.1"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    v.assertIntact();
  }

  @Test
  void apply_oldGnuSparseWithExtensionBlocks_readsEveryBlock() throws Exception {
    int blocks = 30; // 4 in the header, 21 in the first extension block, 5 in a second
    long[] map = new long[blocks * 2];
    StringBuilder data = new StringBuilder();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < blocks; i++) {
      map[2 * i] = i * 10L;
      map[2 * i + 1] = 1;
      char c = (char) ('A' + i % 26);
      data.append(c);
      expected.append(c).append("\0".repeat(i == blocks - 1 ? 0 : 9));
    }
    v.apply(new TarBuilder().oldGnuSparse("many", (blocks - 1) * 10L + 1, map, b(data.toString()))
        .file("after", "still read").bytes());
    assertThat(content("many")).isEqualTo(expected.toString());
    assertThat(content("after")).isEqualTo("still read");
  }

  @Test
  void apply_sparseMapsThatDoNotDescribeTheFile_areRefusedNamingTheEntry() throws Exception {
    // overlapping blocks
    v.assertRejected(new TarBuilder().withPax("x", pax01("bad", 10, "0,4,2,1"), b("abcde")).bytes())
        .hasMessageContaining("bad").hasMessageContaining("overlapping");
    // out of order
    v.assertRejected(new TarBuilder().withPax("x", pax01("bad", 10, "5,1,0,1"), b("ab")).bytes())
        .hasMessageContaining("out of order");
    // past the real size
    v.assertRejected(new TarBuilder().withPax("x", pax01("bad", 4, "2,3"), b("abc")).bytes())
        .hasMessageContaining("past the file's size of 4");
    // lengths not adding up to the stored bytes
    v.assertRejected(new TarBuilder().withPax("x", pax01("bad", 10, "0,2"), b("abc")).bytes())
        .hasMessageContaining("describes 2 bytes of data, the entry stores 3");
    // an odd number of values, and one that is no number
    v.assertRejected(new TarBuilder().withPax("x", pax01("bad", 10, "0,1,4"), b("a")).bytes())
        .hasMessageContaining("odd number");
    v.assertRejected(new TarBuilder().withPax("x", pax01("bad", 10, "0,-1"), b("")).bytes())
        .hasMessageContaining("not a number");
    // the same refusals in an old GNU header
    v.assertRejected(new TarBuilder().oldGnuSparse("old", 10, new long[] {4, 2, 1, 1}, b("abc")).bytes())
        .hasMessageContaining("old").hasMessageContaining("out of order");
    v.assertIntact();
  }

  @Test
  void apply_hostileSparseMapsInTheData_areRefused() throws Exception {
    // a block count far beyond any real file: refused before anything is allocated for it
    v.assertRejected(new TarBuilder().withPax("x", pax10("huge", 10), data10("99999999\n", "")).bytes())
        .hasMessageContaining("more than 65536 blocks");
    // a map that runs past the entry's data
    v.assertRejected(new TarBuilder().withPax("x", pax10("short", 10), b("2\n0\n1\n")).bytes())
        .hasMessageContaining("runs past the entry's data");
    // garbage where a number belongs
    v.assertRejected(new TarBuilder().withPax("x", pax10("junk", 10), data10("1\n0\nabc\n", "")).bytes())
        .hasMessageContaining("malformed GNU sparse map");
    // an unknown version, a missing real size, sparse records on a directory
    Map<String, byte[]> v2 = pax10("v2", 1);
    v2.put("GNU.sparse.major", b("2"));
    v.assertRejected(new TarBuilder().withPax("x", v2, b("")).bytes())
        .hasMessageContaining("unsupported GNU sparse format 2.0");
    Map<String, byte[]> noSize = pax01("nosize", 1, "0,1");
    noSize.remove("GNU.sparse.size");
    v.assertRejected(new TarBuilder().withPax("x", noSize, b("a")).bytes()).hasMessageContaining("real size");
    v.assertIntact();
  }

  @Test
  void apply_sparseFileLargerThanTheCap_isRefusedThoughItsStoredBytesAreFew() throws Exception {
    byte[] tar = new TarBuilder().withPax("x", pax01("bomb", 1L << 40, "0,1"), b("a")).bytes();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> v.apply(tar, v.options().withMaxBytes(1L << 30))))
        .isInstanceOf(LayerApplyException.class).hasMessageContaining("bomb")
        .hasMessageContaining("beyond the cap of 1073741824");
    v.assertIntact();
  }

  /** The holes a sparse file was allowed count against the cap for everything after it too. */
  @Test
  void apply_plainDataAfterASparseFile_countsItsHolesAgainstTheCap() throws Exception {
    int mib = 1 << 20;
    byte[] tar = new TarBuilder().oldGnuSparse("hole.img", 6L * mib, new long[] {6L * mib, 0}, new byte[0])
        .file("after.bin", new byte[6 * mib], 0644).bytes();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> v.apply(tar, v.options().withMaxBytes(8L * mib))))
        .isInstanceOf(LayerApplyException.class).hasMessageContaining("sparse files' holes counted");
    v.assertIntact();
  }

  /** A real size near 2^63 (base-256 in an old GNU header) cannot wrap the cap check around, even on a whiteout. */
  @Test
  void apply_hugeRealSize_cannotOverflowTheCap() throws Exception {
    byte[] tar = new TarBuilder().oldGnuSparse(".wh.x", Long.MAX_VALUE, new long[0], new byte[0])
        .oldGnuSparse("tera.img", 1L << 40, new long[] {(1L << 40) - 1, 1}, b("x")).bytes();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> v.apply(tar, v.options().withMaxBytes(1 << 20))))
        .isInstanceOf(LayerApplyException.class).hasMessageContaining("beyond the cap of 1048576");
    assertThat(v.dest.resolve("tera.img")).doesNotExist();
    v.assertIntact();
  }

  /** Where Go's archive/tar refuses or decides, the same: 'S' needs GNU's magic; its own map beats PAX records. */
  @Test
  void apply_oldGnuSparse_readAsGoReadsIt() throws Exception {
    byte[] noMagic = new TarBuilder().oldGnuSparse("f", 3, new long[] {0, 3}, b("abc")).bytes();
    System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, noMagic, 257, 8);
    byte[] h = java.util.Arrays.copyOf(noMagic, 512);
    TarBuilder.checksum(h);
    System.arraycopy(h, 0, noMagic, 0, 512);
    v.assertRejected(noMagic).hasMessageContaining("without the GNU magic");

    Map<String, byte[]> pax = pax10("renamed", 1);
    TarBuilder t = new TarBuilder();
    byte[] x = TarBuilder.finish(TarBuilder.headerBytes("PaxHeader", 'x', "", TarBuilder.paxData(pax).length, 0644,
        0, 0));
    byte[] withPax = concat(x, padded(TarBuilder.paxData(pax)),
        t.oldGnuSparse("orig", 4, new long[] {1, 3}, b("abc")).bytes());
    v.apply(withPax);
    assertThat(content("orig")).isEqualTo("\0abc");
    assertThat(v.dest.resolve("renamed")).doesNotExist();
  }

  @Test
  void apply_gnu00ValueWithACommaInIt_isRefused() throws Exception {
    byte[] records = concat(b("23 GNU.sparse.offset=1\n"), b("27 GNU.sparse.numbytes=1,2\n"));
    v.assertRejected(concat(rawPaxEntry("x", records, b("a")), new byte[1024]))
        .hasMessageContaining("GNU.sparse.numbytes \"1,2\" is not a number");
  }

  @Test
  void apply_gnu00RecordsThatDoNotAlternate_areRefused() throws Exception {
    byte[] records = concat(b("23 GNU.sparse.offset=1\n"), b("23 GNU.sparse.offset=2\n"));
    v.assertRejected(concat(rawPaxEntry("x", records, b("")), new byte[1024]))
        .hasMessageContaining("do not alternate");
  }

  /** A PAX header with exactly these record bytes, then a regular file entry with {@code data}. */
  private static byte[] rawPaxEntry(String name, byte[] records, byte[] data) {
    byte[] x = TarBuilder.finish(TarBuilder.headerBytes("PaxHeader", 'x', "", records.length, 0644, 0, 0));
    byte[] h = TarBuilder.finish(TarBuilder.headerBytes(name, '0', "", data.length, 0644, 0, 0));
    return concat(x, padded(records), h, padded(data));
  }

  private static byte[] padded(byte[] b) {
    return java.util.Arrays.copyOf(b, (b.length + 511) / 512 * 512);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
