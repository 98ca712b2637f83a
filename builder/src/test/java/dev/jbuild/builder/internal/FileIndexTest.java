package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import dev.jbuild.store.cache.LayerHeaderCache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image's file index, read from tar headers once and then from the store's layer header cache. */
class FileIndexTest {
  @TempDir Path tmp;

  private static final Instant T = Instant.parse("2024-05-06T07:08:09.123456789Z");

  private static byte[] tar(TarArchiveEntry... entries) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(buf)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (TarArchiveEntry e : entries) {
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
      }
    }
    return buf.toByteArray();
  }

  private static TarArchiveEntry dir(String name, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name + "/");
    e.setMode(040000 | mode);
    e.setLastModifiedTime(java.nio.file.attribute.FileTime.from(T));
    return e;
  }

  private static TarArchiveEntry file(String name, int uid) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100644);
    e.setIds(uid, uid + 1);
    e.setLastModifiedTime(java.nio.file.attribute.FileTime.from(T));
    return e;
  }

  private static TarArchiveEntry link(String name, String target, byte type) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setLinkName(target);
    return e;
  }

  private Descriptor layer(Store store, byte[] tar) throws Exception {
    Digest d = store.blobs().ingest(new ByteArrayInputStream(tar), null, tar.length);
    return new Descriptor(MediaType.OCI_LAYER, d, tar.length);
  }

  /** Every path with its metadata, walking the index from the root. */
  private static List<String> dump(FileIndex index) {
    List<String> out = new ArrayList<>();
    walk(index, "", out);
    return out;
  }

  private static void walk(FileIndex index, String dir, List<String> out) {
    for (String name : index.children(dir)) {
      String path = dir.isEmpty() ? name : dir + "/" + name;
      out.add(path + " " + index.get(path));
      walk(index, path, out);
    }
  }

  @Test
  void secondRead_comesFromTheCache_andEqualsTheTarRead_withWhiteoutsAndOpaqueDirs() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    String longName = "deep/" + "x".repeat(300);
    Descriptor base = layer(store, tar(dir("etc", 0755), file("etc/passwd", 0), dir("opt", 0700),
        file("opt/a", 1000), file("opt/b", 1000), dir("deep", 0755), file(longName, 7),
        link("etc/sh", "/bin/busybox", TarConstants.LF_SYMLINK), link("etc/hard", "etc/passwd", TarConstants.LF_LINK)));
    Descriptor top = layer(store, tar(file("etc/.wh.passwd", 0), file("opt/.wh..wh..opq", 0), file("opt/c", 5),
        file("new", 9)));
    LayerHeaderCache headers = LayerHeaderCache.open(store.root());

    FileIndex fromTars = FileIndex.of(store.blobs(), headers, List.of(base, top));
    assertThat(headers.get(base.digest())).isPresent();
    assertThat(headers.get(top.digest())).isPresent();
    List<String> expected = dump(fromTars);
    assertThat(expected).anyMatch(l -> l.startsWith("opt/c "))
        .noneMatch(l -> l.startsWith("opt/a ") || l.startsWith("etc/passwd "))
        .anyMatch(l -> l.startsWith(longName + " "))
        .anyMatch(l -> l.startsWith("etc/sh ") && l.contains("/bin/busybox"));
    assertThat(fromTars.get("etc/hard").linkTarget()).isEqualTo("etc/passwd");
    assertThat(fromTars.get("opt/c").mtime()).isEqualTo(T.minusNanos(T.getNano())); // tar keeps seconds

    // The blobs gone: only the cache can answer now, and it answers the same.
    Files.delete(store.root().resolve("blobs/sha256").resolve(base.digest().hex()));
    Files.delete(store.root().resolve("blobs/sha256").resolve(top.digest().hex()));
    assertThat(dump(FileIndex.of(store.blobs(), headers, List.of(base, top)))).isEqualTo(expected);
  }

  @Test
  void recentOrOf_sameLayersAgain_givesAnEqualIndexThatIsItsOwn() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Descriptor base = layer(store, tar(dir("a", 0755), file("a/f", 0)));
    LayerHeaderCache headers = LayerHeaderCache.open(store.root());
    FileIndex first = FileIndex.recentOrOf(store.blobs(), headers, List.of(base));
    first.put("a/mine", new FileIndex.Meta(false, 0644, 0, 0, T));
    // The blob gone and its cache entry too: only the index made before can answer.
    Files.delete(store.root().resolve("blobs/sha256").resolve(base.digest().hex()));
    headers.remove(base.digest());
    FileIndex second = FileIndex.recentOrOf(store.blobs(), headers, List.of(base));
    assertThat(dump(second)).containsExactly("a " + second.get("a"), "a/f " + second.get("a/f"));
    assertThat(first.get("a/mine")).isNotNull();
  }

  @Test
  void damagedCacheEntry_isReadFromTheTarAgain_andRewritten() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Descriptor base = layer(store, tar(dir("a", 0755), file("a/f", 0)));
    LayerHeaderCache headers = LayerHeaderCache.open(store.root());
    List<String> expected = dump(FileIndex.of(store.blobs(), headers, List.of(base)));
    Path entry = store.root().resolve("cache/layers").resolve(base.digest().hex());
    byte[] good = Files.readAllBytes(entry);
    Files.write(entry, java.util.Arrays.copyOf(good, good.length - 3)); // truncated

    assertThat(dump(FileIndex.of(store.blobs(), headers, List.of(base)))).isEqualTo(expected);
    Optional<byte[]> rewritten = headers.get(base.digest());
    assertThat(rewritten).hasValueSatisfying(b -> assertThat(b).isEqualTo(good));
  }

  private Descriptor[] twoLayers(Store store) throws Exception {
    Descriptor base = layer(store, tar(dir("etc", 0755), file("etc/passwd", 0), dir("opt", 0700),
        file("opt/a", 1000), link("etc/sh", "/bin/busybox", TarConstants.LF_SYMLINK),
        link("etc/hard", "etc/passwd", TarConstants.LF_LINK), file("z-\u00e9t\u00e9", 3)));
    Descriptor top = layer(store, tar(file("opt/.wh.a", 0), file("opt/b", 5), dir("opt/sub", 0750)));
    return new Descriptor[] {base, top};
  }

  @Test
  void snapshot_roundTrips_everyPathAndItsMetadata() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Descriptor[] layers = twoLayers(store);
    FileIndex index = FileIndex.of(store.blobs(), LayerHeaderCache.open(store.root()), List.of(layers));

    FileIndex back = FileIndex.fromSnapshot(index.snapshot());

    assertThat(back).isNotNull();
    assertThat(dump(back)).isEqualTo(dump(index)).hasSize(8);
    assertThat(back.get("etc/sh").linkTarget()).isEqualTo("/bin/busybox");
    assertThat(back.get("opt/a")).isNull();
    back.put("opt/new", new FileIndex.Meta(false, 0600, 1, 2, T)); // a tree that works as one
    assertThat(back.children("opt")).containsExactly("b", "new", "sub");
  }

  @Test
  void recentOrOf_aLaterProcess_loadsTheSnapshotInsteadOfReplayingTheLayers() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Descriptor[] layers = twoLayers(store);
    LayerHeaderCache headers = LayerHeaderCache.open(store.root());
    FileIndex.forgetRecent(); // the same layers may be in memory from another test
    List<String> expected = dump(FileIndex.recentOrOf(store.blobs(), headers, List.of(layers)));
    assertThat(headers.get(FileIndex.snapshotKey(List.of(layers[0].digest(), layers[1].digest())))).isPresent();

    // As a new process: nothing in memory, and neither the blobs nor their header logs to replay.
    FileIndex.forgetRecent();
    for (Descriptor l : layers) {
      Files.delete(store.root().resolve("blobs/sha256").resolve(l.digest().hex()));
      headers.remove(l.digest());
    }
    assertThat(dump(FileIndex.recentOrOf(store.blobs(), headers, List.of(layers)))).isEqualTo(expected);
  }

  @Test
  void damagedOrReorderedSnapshot_refused_andTheLayersReplayedInstead() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Descriptor[] layers = twoLayers(store);
    LayerHeaderCache headers = LayerHeaderCache.open(store.root());
    FileIndex index = FileIndex.of(store.blobs(), headers, List.of(layers));
    byte[] good = index.snapshot();

    byte[] flipped = good.clone();
    flipped[20] ^= 1;
    assertThat(FileIndex.fromSnapshot(flipped)).isNull();
    assertThat(FileIndex.fromSnapshot(java.util.Arrays.copyOf(good, good.length - 1))).isNull();
    assertThat(FileIndex.fromSnapshot(new byte[0])).isNull();
    // Paths out of order (with a valid checksum) would make a tree that answers wrongly: refused.
    FileIndex two = new FileIndex();
    two.put("a", new FileIndex.Meta(false, 0644, 0, 0, T));
    two.put("b", new FileIndex.Meta(false, 0644, 0, 0, T));
    byte[] swapped = two.snapshot();
    int aAt = indexOf(swapped, (byte) 'a');
    int bAt = indexOf(swapped, (byte) 'b');
    swapped[aAt] = 'b';
    swapped[bAt] = 'a';
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(swapped, 0, swapped.length - 4);
    java.nio.ByteBuffer.wrap(swapped, swapped.length - 4, 4).putInt((int) crc.getValue());
    assertThat(FileIndex.fromSnapshot(swapped)).isNull();

    // A damaged stored snapshot: the index is replayed from the layers, and a good snapshot replaces it.
    Digest key = FileIndex.snapshotKey(List.of(layers[0].digest(), layers[1].digest()));
    headers.put(key, flipped);
    FileIndex.forgetRecent();
    assertThat(dump(FileIndex.recentOrOf(store.blobs(), headers, List.of(layers)))).isEqualTo(dump(index));
    assertThat(headers.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(good));
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 8; i < bytes.length; i++) { // past the magic number and the count
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new AssertionError("no " + (char) b);
  }
}
