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
}
