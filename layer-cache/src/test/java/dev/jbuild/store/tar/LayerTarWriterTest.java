package dev.jbuild.store.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerTarWriterTest {
  static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");
  static final Instant EPOCH = Instant.parse("2021-06-01T00:00:00Z");

  @TempDir Path dir;

  static byte[] tar(List<LayerEntry> entries, Instant epoch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LayerTarWriter.write(entries, out, epoch);
    return out.toByteArray();
  }

  static List<TarArchiveEntry> read(byte[] tar) throws IOException {
    List<TarArchiveEntry> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        out.add(e);
      }
    }
    return out;
  }

  private Path file(String name, String content) throws IOException {
    Path p = dir.resolve("src").resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  /** A small tree with a file, an executable, a nested dir, a symlink and a hard link. */
  static void makeTree(Path root, Instant mtime) throws IOException {
    Files.createDirectories(root.resolve("etc/app"));
    Files.createDirectories(root.resolve("usr/bin"));
    Files.writeString(root.resolve("etc/app/config.yaml"), "key: value\n");
    Path tool = root.resolve("usr/bin/tool");
    Files.writeString(tool, "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createLink(root.resolve("usr/bin/tool-alias"), tool);
    Files.createSymbolicLink(root.resolve("usr/bin/sh-link"), Path.of("/bin/sh"));
    Files.setPosixFilePermissions(root.resolve("etc/app/config.yaml"), PosixFilePermissions.fromString("rw-r-----"));
    try (var s = Files.walk(root)) {
      for (Path p : s.toList()) {
        if (!Files.isSymbolicLink(p)) {
          Files.setLastModifiedTime(p, FileTime.from(mtime));
        }
      }
    }
  }

  @Test
  void write_sameTreeAtTwoPathsAndTimes_identicalDigest() throws Exception {
    Path a = dir.resolve("one/tree");
    Path b = dir.resolve("two/other-place");
    makeTree(a, Instant.parse("2023-03-03T10:00:00.123Z"));
    makeTree(b, Instant.parse("2024-04-04T11:11:11.999Z"));

    byte[] ta = tar(LayerTarWriter.fromDirectory(a), EPOCH);
    byte[] tb = tar(LayerTarWriter.fromDirectory(b), EPOCH);

    assertThat(Digest.sha256Of(ta)).isEqualTo(Digest.sha256Of(tb));
    assertThat(read(ta)).extracting(TarArchiveEntry::getName).containsExactly(
        "etc/", "etc/app/", "etc/app/config.yaml", "usr/", "usr/bin/", "usr/bin/sh-link", "usr/bin/tool",
        "usr/bin/tool-alias");
  }

  @Test
  void write_unsortedEntries_writtenComponentWiseSorted() throws Exception {
    List<LayerEntry> entries = List.of(
        LayerEntry.directory("b", 0755, 0, 0, T0),
        LayerEntry.directory("a-b", 0755, 0, 0, T0),
        LayerEntry.file("a/z", null, 0, 0644, 0, 0, T0),
        LayerEntry.directory("a", 0755, 0, 0, T0),
        LayerEntry.file("a/b/c", null, 0, 0644, 0, 0, T0),
        LayerEntry.directory("a/b", 0755, 0, 0, T0));

    assertThat(read(tar(entries, null))).extracting(TarArchiveEntry::getName)
        .containsExactly("a/", "a/b/", "a/b/c", "a/z", "a-b/", "b/");
  }

  @Test
  void comparePaths_slashSortsFirst() {
    assertThat(LayerTarWriter.comparePaths("a", "a/b")).isNegative();
    assertThat(LayerTarWriter.comparePaths("a/b", "a-b")).isNegative();
    assertThat(LayerTarWriter.comparePaths("a/x", "ab")).isNegative();
    assertThat(LayerTarWriter.comparePaths("b", "a/b")).isPositive();
    assertThat(LayerTarWriter.comparePaths("x", "x")).isZero();
  }

  @Test
  void write_longNamesAndLinkTargets_usePaxRecords() throws Exception {
    String longDir = "d/" + "very-long-directory-name-".repeat(5);
    String longName = longDir + "/" + "file-".repeat(30);
    String longTarget = "/" + "t".repeat(150);
    List<LayerEntry> entries = List.of(
        LayerEntry.directory("d", 0755, 0, 0, T0),
        LayerEntry.directory(longDir, 0755, 0, 0, T0),
        LayerEntry.file(longName, file("x", "12345"), 5, 0644, 0, 0, T0),
        LayerEntry.symlink("d/link", longTarget, 0, 0, T0));

    byte[] tar = tar(entries, null);

    List<TarArchiveEntry> read = read(tar);
    assertThat(read).extracting(TarArchiveEntry::getName).containsExactly("d/", "d/link", longDir + "/", longName);
    assertThat(read.get(1).getLinkName()).isEqualTo(longTarget);
    List<RawTar.Header> raw = RawTar.headers(tar);
    assertThat(raw).extracting(RawTar.Header::type).containsExactly('5', 'x', '2', 'x', '5', 'x', '0');
    assertThat(new String(raw.get(2).pax().get("linkpath"), StandardCharsets.UTF_8)).isEqualTo(longTarget);
    assertThat(new String(raw.get(6).pax().get("path"), StandardCharsets.UTF_8)).isEqualTo(longName);
  }

  @Test
  void write_nonAsciiName_usesPaxPath() throws Exception {
    byte[] tar = tar(List.of(LayerEntry.file("caf\u00e9-\u65e5\u672c", null, 0, 0644, 0, 0, T0)), null);

    assertThat(read(tar).get(0).getName()).isEqualTo("caf\u00e9-\u65e5\u672c");
    assertThat(RawTar.headers(tar).get(1).pax()).containsKey("path");
  }

  @Test
  void write_mtimes_clampedToEpochAndTruncatedToSeconds() throws Exception {
    Instant late = Instant.parse("2030-01-01T00:00:00Z");
    Instant early = Instant.parse("2019-05-05T05:05:05.750Z");
    List<LayerEntry> entries = List.of(
        LayerEntry.directory("late", 0755, 0, 0, late), LayerEntry.directory("early", 0755, 0, 0, early));

    byte[] tar = tar(entries, EPOCH);

    List<RawTar.Header> raw = RawTar.headers(tar);
    assertThat(raw).extracting(RawTar.Header::name).containsExactly("early/", "late/"); // no PAX for sub-seconds
    assertThat(raw.get(0).mtime()).isEqualTo(Instant.parse("2019-05-05T05:05:05Z").getEpochSecond());
    assertThat(raw.get(1).mtime()).isEqualTo(EPOCH.getEpochSecond());
    assertThat(RawTar.headers(tar(entries, null)).get(1).mtime()).isEqualTo(late.getEpochSecond());
  }

  @Test
  void write_owners_numericWithoutNamesOrExtraTimes() throws Exception {
    List<LayerEntry> entries = List.of(
        LayerEntry.directory("home", 0755, 0, 0, T0),
        LayerEntry.file("home/f", file("f", "x"), 1, 0640, 1000, 1001, T0),
        LayerEntry.file("big-ids", null, 0, 0644, 3_000_000_000L, 70_000_000L, T0));

    byte[] tar = tar(entries, null);

    List<RawTar.Header> raw = RawTar.headers(tar);
    assertThat(raw).allSatisfy(h -> {
      assertThat(h.uname()).isEmpty();
      assertThat(h.gname()).isEmpty();
      assertThat(h.pax().keySet()).noneMatch(k -> k.contains("atime") || k.contains("ctime") || k.contains("time"));
    });
    List<TarArchiveEntry> read = read(tar);
    assertThat(read).extracting(TarArchiveEntry::getName).containsExactly("big-ids", "home/", "home/f");
    assertThat(read.get(0).getLongUserId()).isEqualTo(3_000_000_000L);
    assertThat(read.get(0).getLongGroupId()).isEqualTo(70_000_000L);
    assertThat(read.get(2).getLongUserId()).isEqualTo(1000);
    assertThat(read.get(2).getLongGroupId()).isEqualTo(1001);
    assertThat(read.get(2).getMode()).isEqualTo(0640);
  }

  @Test
  void write_anyArchive_endsWithExactlyTwoZeroBlocks() throws Exception {
    byte[] tar = tar(List.of(LayerEntry.file("f", file("f", "hello"), 5, 0644, 0, 0, T0)), null);

    assertThat(tar.length).isEqualTo(512 + 512 + 1024);
    assertThat(Arrays.copyOfRange(tar, tar.length - 1024, tar.length)).containsOnly(0);
    assertThat(tar(List.of(), null)).hasSize(1024).containsOnly(0);
  }

  @Test
  void write_symlinkHardlinkFifoDevice_roundTripThroughReader() throws Exception {
    Path content = file("data", "payload");
    List<LayerEntry> entries = List.of(
        LayerEntry.file("data", content, 7, 04755, 0, 0, T0),
        LayerEntry.hardlink("data2", "data", 04755, 0, 0, T0),
        LayerEntry.symlink("link", "../somewhere/else", 0, 0, T0),
        LayerEntry.fifo("pipe", 0600, 0, 0, T0),
        LayerEntry.device("null", LayerEntry.Type.CHAR_DEVICE, 1, 3, 0666, 0, 0, T0),
        LayerEntry.device("sda", LayerEntry.Type.BLOCK_DEVICE, 8, 0, 0660, 0, 6, T0));

    Map<String, TarArchiveEntry> read =
        read(tar(entries, null)).stream().collect(Collectors.toMap(TarArchiveEntry::getName, e -> e));

    assertThat(read.get("data").isFile()).isTrue();
    assertThat(read.get("data").getMode()).isEqualTo(04755);
    assertThat(read.get("data2").isLink()).isTrue();
    assertThat(read.get("data2").getLinkName()).isEqualTo("data");
    assertThat(read.get("data2").getSize()).isZero();
    assertThat(read.get("link").isSymbolicLink()).isTrue();
    assertThat(read.get("link").getLinkName()).isEqualTo("../somewhere/else");
    assertThat(read.get("pipe").isFIFO()).isTrue();
    assertThat(read.get("null").isCharacterDevice()).isTrue();
    assertThat(read.get("null").getDevMajor()).isEqualTo(1);
    assertThat(read.get("null").getDevMinor()).isEqualTo(3);
    assertThat(read.get("sda").isBlockDevice()).isTrue();
    assertThat(read.get("sda").getDevMajor()).isEqualTo(8);
  }

  @Test
  void write_binaryXattr_storedByteForByteInSchilyRecord() throws Exception {
    byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0x04, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xfe, 0, 0, 0, 0, 0, 0};
    String longName = "bin/" + "p".repeat(120);
    List<LayerEntry> entries = List.of(
        LayerEntry.file("bin/ping", null, 0, 0755, 0, 0, T0)
            .withXattrs(Map.of("security.capability", cap, "user.note", "h\u00e9".getBytes(StandardCharsets.UTF_8))),
        LayerEntry.file(longName, null, 0, 0755, 0, 0, T0).withXattrs(Map.of("user.x", new byte[] {(byte) 0xc3})));

    byte[] tar = tar(entries, null);

    List<RawTar.Header> raw = RawTar.headers(tar);
    assertThat(raw).extracting(RawTar.Header::type).containsExactly('x', '0', 'x', '0');
    assertThat(raw.get(1).name()).isEqualTo("bin/ping");
    assertThat(raw.get(1).pax().get("SCHILY.xattr.security.capability")).isEqualTo(cap);
    assertThat(raw.get(1).pax().get("SCHILY.xattr.user.note")).isEqualTo("h\u00e9".getBytes(StandardCharsets.UTF_8));
    assertThat(raw.get(3).pax().get("SCHILY.xattr.user.x")).isEqualTo(new byte[] {(byte) 0xc3});
    assertThat(new String(raw.get(3).pax().get("path"), StandardCharsets.UTF_8)).isEqualTo(longName);
    assertThat(read(tar)).extracting(TarArchiveEntry::getName).containsExactly("bin/ping", longName);
  }

  @Test
  void encode_recordLengthCrossingDigitBoundary_countsItsOwnDigits() {
    for (int n = 80; n < 120; n++) {
      byte[] data = PaxHeaders.encode(Map.of("k", new byte[n]));
      Map<String, byte[]> parsed = RawTar.parsePax(data);
      assertThat(parsed.get("k")).as("value length %d", n).hasSize(n);
      assertThat(Integer.parseInt(new String(data, 0, new String(data).indexOf(' ')))).isEqualTo(data.length);
    }
  }

  @Test
  void write_duplicatePaths_rejected() {
    List<LayerEntry> entries =
        List.of(LayerEntry.directory("a", 0755, 0, 0, T0), LayerEntry.file("a", null, 0, 0644, 0, 0, T0));

    assertThatThrownBy(() -> tar(entries, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a");
  }

  @Test
  void write_hardlinkBeforeItsTarget_rejected() {
    List<LayerEntry> entries = List.of(
        LayerEntry.file("z", null, 0, 0644, 0, 0, T0), LayerEntry.hardlink("a", "z", 0644, 0, 0, T0));

    assertThatThrownBy(() -> tar(entries, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sorts after");
  }

  @Test
  void write_sourceShrankSinceWalk_failsNamingFile() throws Exception {
    Path f = file("shrinks", "0123456789");
    List<LayerEntry> entries = List.of(LayerEntry.file("shrinks", f, 20, 0644, 0, 0, T0));

    assertThatThrownBy(() -> tar(entries, null)).isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("shrank");
  }

  @Test
  void write_sourceGrewSinceWalk_failsNamingFile() throws Exception {
    Path f = file("grows", "0123456789");
    List<LayerEntry> entries = List.of(LayerEntry.file("grows", f, 5, 0644, 0, 0, T0));

    assertThatThrownBy(() -> tar(entries, null)).isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("grew");
  }

  @Test
  void write_emptySourceThatGainedContent_fails() throws Exception {
    Path f = file("was-empty", "now it is not");
    List<LayerEntry> entries = List.of(LayerEntry.file("was-empty", f, 0, 0644, 0, 0, T0));

    assertThatThrownBy(() -> tar(entries, null)).isInstanceOf(IOException.class).hasMessageContaining("grew");
  }

  @Test
  void write_sourceReplacedBySymlink_refusesToFollow() throws Exception {
    Path secret = file("secret", "top secret");
    Path f = dir.resolve("src/innocent");
    Files.createSymbolicLink(f, secret);
    List<LayerEntry> entries = List.of(LayerEntry.file("innocent", f, 10, 0644, 0, 0, T0));

    assertThatThrownBy(() -> tar(entries, null)).isInstanceOf(IOException.class).hasMessageContaining("regular file");
  }

  @Test
  void write_outputStream_notClosed() throws Exception {
    boolean[] closed = {false};
    OutputStream out = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };

    LayerTarWriter.write(List.of(LayerEntry.directory("d", 0755, 0, 0, T0)), out, null);

    assertThat(closed[0]).isFalse();
  }

  @Test
  void entry_invalidPaths_rejected() {
    for (String bad : List.of("", "/abs", "trailing/", "a//b", "./a", "a/../b", "..", "a/.", "nul\u0000")) {
      assertThatThrownBy(() -> LayerEntry.directory(bad, 0755, 0, 0, T0)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> LayerEntry.file("f", null, 0, 0100644, 0, 0, T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LayerEntry.hardlink("h", "../etc/passwd", 0644, 0, 0, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entry_xattrValues_comparedByContent() {
    LayerEntry a = LayerEntry.directory("d", 0755, 0, 0, T0).withXattrs(Map.of("user.a", new byte[] {1, 2}));
    LayerEntry b = LayerEntry.directory("d", 0755, 0, 0, T0).withXattrs(Map.of("user.a", new byte[] {1, 2}));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(b.withXattrs(Map.of("user.a", new byte[] {1, 3})));
  }

  @Test
  void fromDirectory_tree_readsTypesModesAndHardlinks() throws Exception {
    Path root = dir.resolve("tree");
    makeTree(root, T0);

    Map<String, LayerEntry> byPath = LayerTarWriter.fromDirectory(root).stream()
        .collect(Collectors.toMap(LayerEntry::path, e -> e));

    assertThat(byPath.get("etc/app").type()).isEqualTo(LayerEntry.Type.DIRECTORY);
    assertThat(byPath.get("etc/app/config.yaml").mode()).isEqualTo(0640);
    assertThat(byPath.get("etc/app/config.yaml").size()).isEqualTo(11);
    assertThat(byPath.get("etc/app/config.yaml").mtime()).isEqualTo(T0);
    assertThat(byPath.get("usr/bin/tool").type()).isEqualTo(LayerEntry.Type.REGULAR);
    assertThat(byPath.get("usr/bin/tool").mode()).isEqualTo(0755);
    assertThat(byPath.get("usr/bin/tool-alias").type()).isEqualTo(LayerEntry.Type.HARDLINK);
    assertThat(byPath.get("usr/bin/tool-alias").linkTarget()).isEqualTo("usr/bin/tool");
    assertThat(byPath.get("usr/bin/sh-link").type()).isEqualTo(LayerEntry.Type.SYMLINK);
    assertThat(byPath.get("usr/bin/sh-link").linkTarget()).isEqualTo("/bin/sh");
    assertThat(byPath).doesNotContainKey("");
  }

  @Test
  void fromDirectory_withPrefix_mapsRootToPrefix() throws Exception {
    Path root = dir.resolve("ctx");
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/f"), "x");

    assertThat(LayerTarWriter.fromDirectory(root, "/app/")).extracting(LayerEntry::path)
        .containsExactly("app", "app/sub", "app/sub/f");
  }

  @Test
  void deviceNumbers_decodedLikeGlibc() {
    long dev = (8L << 8) | 1; // 8:1
    assertThat(DirectoryWalker.major(dev)).isEqualTo(8);
    assertThat(DirectoryWalker.minor(dev)).isEqualTo(1);
    long big = ((long) 0x12345 & 0xfff) << 8 | ((long) 0x12345 & ~0xfffL) << 32 | (0x6789L & 0xff)
        | (0x6789L & ~0xffL) << 12;
    assertThat(DirectoryWalker.major(big)).isEqualTo(0x12345);
    assertThat(DirectoryWalker.minor(big)).isEqualTo(0x6789);
  }
}
