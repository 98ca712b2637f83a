package dev.jbuild.store.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Old-layout docker archives, and hostile archives (CASES M06, M15-M17, L01-L03, L33) that must change nothing. */
class ArchiveLoaderTest {
  @TempDir Path tmp;
  Store store;
  String before;

  final byte[] layer1 = uncheckedTar("one.txt", "one\n");
  final byte[] layer2 = uncheckedTar("two.txt", "two\n");

  @BeforeEach
  void storeWithAnImage() throws Exception {
    store = Store.open(tmp.resolve("store"));
    Images.image(store, "keep:1", Images.layer(store, uncheckedTar("keep", "k"), MediaType.Compression.GZIP));
    before = Images.snapshot(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] uncheckedTar(String name, String content) {
    try {
      return new Tars().file(name, content).bytes();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] config(Digest... diffIds) {
    return OciJson.write(new ImageConfig(Images.TIME, null, "amd64", "linux", null, null,
        ContainerConfig.EMPTY.withCmd(List.of("sh")), Arrays.asList(diffIds), List.of()));
  }

  private static String hex(byte[] content) {
    return Digest.sha256Of(content).hex();
  }

  private List<ArchiveLoader.LoadedImage> load(byte[] archive) throws Exception {
    return ArchiveLoader.load(store, new ByteArrayInputStream(archive), "archive bad.tar", Platform.host());
  }

  private void assertRefused(byte[] archive, String message) throws Exception {
    assertThatThrownBy(() -> load(archive)).isInstanceOf(ArchiveException.class).hasMessageContaining(message);
    assertThat(Images.snapshot(store)).isEqualTo(before);
    assertThat(store.images().list()).extracting(t -> t.name()).containsExactly("keep:1");
  }

  /** An old-layout docker archive of two images, the second's layer.tar a symlink to a shared one. */
  @Test
  void load_oldLayoutWithSymlinkedLayer_storesDockerMediaTypes() throws Exception {
    byte[] c1 = config(Digest.sha256Of(layer1));
    byte[] c2 = config(Digest.sha256Of(layer1), Digest.sha256Of(layer2));
    String manifest = "[{\"Config\":\"" + hex(c1) + ".json\",\"RepoTags\":[\"old:1\"],\"Layers\":[\"aaa/layer.tar\"]},"
        + "{\"Config\":\"" + hex(c2) + ".json\",\"RepoTags\":[\"docker.io/library/old:2\"],"
        + "\"Layers\":[\"bbb/layer.tar\",\"ccc/layer.tar\"]}]";
    byte[] archive = new Tars().dir("aaa").file("aaa/VERSION", "1.0").file("aaa/json", "{}")
        .file("aaa/layer.tar", layer1).dir("bbb").symlink("bbb/layer.tar", "../aaa/layer.tar")
        .dir("ccc").file("ccc/layer.tar", layer2).file(hex(c1) + ".json", c1).file(hex(c2) + ".json", c2)
        .file("repositories", "{\"old\":{\"1\":\"aaa\"}}").file("manifest.json", manifest).bytes();

    List<ArchiveLoader.LoadedImage> loaded = load(archive);

    assertThat(loaded).extracting(ArchiveLoader.LoadedImage::names).containsExactly(List.of("old:1"), List.of("old:2"));
    Manifest m = OciJson.readManifest(store.blobs().readAll(loaded.get(1).manifest().digest(), 1 << 20));
    assertThat(m.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
    assertThat(m.config().mediaType()).isEqualTo(MediaType.DOCKER_CONFIG);
    assertThat(m.config().digest()).isEqualTo(Digest.sha256Of(c2));
    assertThat(m.layers()).extracting(Descriptor::mediaType).containsOnly(ArchiveLoader.DOCKER_LAYER);
    assertThat(m.layers()).extracting(Descriptor::digest)
        .containsExactly(Digest.sha256Of(layer1), Digest.sha256Of(layer2));
    assertThat(store.images().resolve("old:2").orElseThrow().digest()).isEqualTo(loaded.get(1).manifest().digest());
  }

  private byte[] oldLayout(String manifestJson, byte[] config) throws Exception {
    return new Tars().file("aaa/layer.tar", layer1).file("bbb/layer.tar", layer2).file(hex(config) + ".json", config)
        .file("manifest.json", manifestJson).bytes();
  }

  private String entry(byte[] config, String... layers) {
    return "[{\"Config\":\"" + hex(config) + ".json\",\"RepoTags\":[\"bad:1\"],\"Layers\":[\""
        + String.join("\",\"", layers) + "\"]}]";
  }

  /**
   * A name that pins a digest must be that image's: else {@code alpine@sha256:<the real one>} would name whatever
   * the archive brought, and a build or run "pinned" by digest would use it from the store. manifest.json: refused
   * (docker load refuses any digest there); index.json: the name is left out and the image loads untagged.
   */
  @Test
  void load_nameWithADigestThatIsNotTheImages_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    String pinned = "alpine@" + Digest.sha256Of("the real alpine".getBytes(StandardCharsets.UTF_8));
    String manifest = "[{\"Config\":\"" + hex(c) + ".json\",\"RepoTags\":[\"" + pinned + "\"],"
        + "\"Layers\":[\"aaa/layer.tar\"]}]";
    assertRefused(oldLayout(manifest, c), "manifest.json[0] RepoTags: \"" + pinned + "\" names another image");

    List<ArchiveLoader.LoadedImage> loaded =
        load(ociArchive(true, layer1, "blobs/sha256/" + hex(layer1), false, "docker.io/library/" + pinned));
    assertThat(loaded.get(0).names()).isEmpty();
    assertThat(store.images().list()).extracting(t -> t.name()).containsExactly("keep:1");
  }

  @Test
  void load_manifestJsonIsASymlink_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    byte[] archive = new Tars().file("aaa/layer.tar", layer1).file(hex(c) + ".json", c)
        .file("real.txt", entry(c, "aaa/layer.tar")).symlink("manifest.json", "real.txt").bytes();
    assertRefused(archive, "entry manifest.json is a symlink");
  }

  @Test
  void load_manifestJsonOverOneMiB_refusedAtTheCap() throws Exception {
    byte[] huge = new byte[(1 << 20) + 10];
    Arrays.fill(huge, (byte) ' ');
    huge[0] = '[';
    huge[huge.length - 1] = ']';
    assertRefused(new Tars().file("manifest.json", huge).bytes(), "more than the 1024 KiB allowed");
  }

  /**
   * A tar made as it is read: {@code count} symlinks named {@code prefix + i} pointing at {@code target}, so hostile
   * archives of hundreds of MiB cost the test no memory.
   */
  private static InputStream symlinks(int count, String prefix, String target) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    var tar = new TarArchiveOutputStream(buffer);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    return new SequenceInputStream(new Enumeration<InputStream>() {
      int written;
      boolean finished;

      @Override
      public boolean hasMoreElements() {
        return !finished;
      }

      @Override
      public InputStream nextElement() {
        buffer.reset();
        try {
          for (int end = Math.min(count, written + 1000); written < end; written++) {
            var e = new TarArchiveEntry(prefix + written,
                TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
          }
          if (written == count) {
            tar.finish();
            finished = true;
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return new ByteArrayInputStream(buffer.toByteArray());
      }
    });
  }

  private void assertStreamRefused(InputStream archive, String message) throws Exception {
    try (archive) {
      assertThatThrownBy(() -> ArchiveLoader.load(store, archive, "archive bad.tar", Platform.host()))
          .isInstanceOf(ArchiveException.class).hasMessageContaining(message);
    }
    assertThat(Images.snapshot(store)).isEqualTo(before);
  }

  /** CASES M06/L32: what the scan keeps per entry is capped, so a small gzip of many entries cannot exhaust memory. */
  @Test
  void load_tooManyEntriesOrTooMuchNameText_refusedAtTheCaps() throws Exception {
    assertStreamRefused(symlinks(ArchiveScanner.MAX_ENTRIES + 10, "l", "t"),
        "the archive has more than " + ArchiveScanner.MAX_ENTRIES + " entries");
    // Names and targets that fit a plain ustar header: commons-compress writes long (PAX) names in quadratic time.
    assertStreamRefused(symlinks(200_000, "n".repeat(90) + "/", "t".repeat(99)),
        "the archive's entry names and link targets exceed 32 MiB");
  }

  @Test
  void load_entryWithDotDot_refused() throws Exception {
    assertRefused(new Tars().file("../victim/dotdot", "x").bytes(), "has a .. component");
    assertRefused(new Tars().file("/../victim/slash-dotdot", "x").bytes(), "has a .. component");
    assertRefused(new Tars().file("ok", "x").file("../../pwned", "x").bytes(), "has a .. component");
  }

  @Test
  void load_manifestJsonNamingPathsOutsideTheArchive_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    assertRefused(oldLayout(entry(c, "../../etc/passwd"), c), "has a .. component");
    assertRefused(oldLayout("[{\"Config\":\"/abs\",\"Layers\":[]}]", c), "Config /abs is not in the archive");
  }

  @Test
  void load_missingLayer_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    assertRefused(oldLayout(entry(c, "zzz/layer.tar"), c), "Layers[0] zzz/layer.tar is not in the archive");
  }

  @Test
  void load_diffIdMismatch_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer2));
    assertRefused(oldLayout(entry(c, "aaa/layer.tar"), c), "but the config's diff_id is");
  }

  @Test
  void load_layerListedTwiceForTwoDiffIds_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1), Digest.sha256Of(layer2));
    assertRefused(oldLayout(entry(c, "aaa/layer.tar", "aaa/layer.tar"), c), "is listed twice");
  }

  @Test
  void load_linkCycle_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    byte[] archive = new Tars().symlink("a/layer.tar", "../b/layer.tar").symlink("b/layer.tar", "../a/layer.tar")
        .file(hex(c) + ".json", c).file("manifest.json", entry(c, "a/layer.tar")).bytes();
    assertRefused(archive, "link cycle");
  }

  @Test
  void load_nullOrMissingManifest_refused() throws Exception {
    assertRefused(new Tars().file("manifest.json", "null").bytes(), "must be a JSON array of images, not null");
    assertRefused(new Tars().file("hello.txt", "hi").bytes(), "neither manifest.json nor index.json");
  }

  private byte[] ociArchive(boolean includeLayer, byte[] layerBytes, String layerName, boolean symlinkBlob)
      throws Exception {
    return ociArchive(includeLayer, layerBytes, layerName, symlinkBlob, "oci:1");
  }

  private byte[] ociArchive(boolean includeLayer, byte[] layerBytes, String layerName, boolean symlinkBlob,
      String refName) throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    Descriptor cd = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256Of(c), c.length);
    Descriptor ld = new Descriptor(MediaType.OCI_LAYER, Digest.sha256Of(layer1), layer1.length);
    byte[] m = OciJson.write(Manifest.oci(cd, List.of(ld)));
    Descriptor md = new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(m), m.length)
        .withAnnotations(java.util.Map.of("org.opencontainers.image.ref.name", refName));
    Tars t = new Tars().file("oci-layout", ArchiveWriter.OCI_LAYOUT)
        .file("index.json", OciJson.write(ImageIndex.oci(List.of(md))))
        .file("blobs/sha256/" + hex(c), c).file("blobs/sha256/" + hex(m), m);
    if (symlinkBlob) {
      t.file("elsewhere", layer1).symlink("blobs/sha256/" + hex(layer1), "../../elsewhere");
    } else if (includeLayer) {
      t.file(layerName, layerBytes);
    }
    return t.bytes();
  }

  @Test
  void load_ociArchive_loadsAndNamesFromRefName() throws Exception {
    List<ArchiveLoader.LoadedImage> loaded = load(ociArchive(true, layer1, "blobs/sha256/" + hex(layer1), false));
    assertThat(loaded.get(0).names()).containsExactly("oci:1");
  }

  /** CASES M03: index.json calls the blob a Docker manifest, the blob says it is an OCI one (or the reverse). */
  @Test
  void load_indexEntryMediaTypeDifferentFromTheManifests_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    Descriptor cd = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256Of(c), c.length);
    Descriptor ld = new Descriptor(MediaType.OCI_LAYER, Digest.sha256Of(layer1), layer1.length);
    byte[] m = OciJson.write(Manifest.oci(cd, List.of(ld)));
    Descriptor md = new Descriptor(MediaType.DOCKER_MANIFEST, Digest.sha256Of(m), m.length)
        .withAnnotations(java.util.Map.of("org.opencontainers.image.ref.name", "oci:1"));
    byte[] archive = new Tars().file("oci-layout", ArchiveWriter.OCI_LAYOUT)
        .file("index.json", OciJson.write(ImageIndex.oci(List.of(md))))
        .file("blobs/sha256/" + hex(c), c).file("blobs/sha256/" + hex(m), m)
        .file("blobs/sha256/" + hex(layer1), layer1).bytes();
    assertRefused(archive, "index.json manifests[0] " + md.digest() + ": the blob's mediaType "
        + MediaType.OCI_MANIFEST + " is not the " + MediaType.DOCKER_MANIFEST + " its descriptor says");
  }

  @Test
  void load_ociArchiveMissingBlob_refused() throws Exception {
    assertRefused(ociArchive(false, null, null, false), "is missing from the archive");
  }

  @Test
  void load_blobNotMatchingItsName_refused() throws Exception {
    assertRefused(ociArchive(true, layer2, "blobs/sha256/" + hex(layer1), false), "does not hash to its name");
  }

  @Test
  void load_blobThatIsASymlink_refused() throws Exception {
    assertRefused(ociArchive(false, null, null, true), "is a symlink");
  }

  @Test
  void load_truncatedArchive_refused() throws Exception {
    byte[] c = config(Digest.sha256Of(layer1));
    byte[] good = oldLayout(entry(c, "aaa/layer.tar"), c); // manifest.json last: its data does not end in zeros
    // Cut inside the last blob's data, then exactly after it (no end-of-archive marker).
    int boundary = good.length;
    while (boundary > 0 && Arrays.equals(Arrays.copyOfRange(good, boundary - 512, boundary), new byte[512])) {
      boundary -= 512;
    }
    assertRefused(Arrays.copyOf(good, boundary), "end-of-archive marker");
    assertRefused(Arrays.copyOf(good, 3000), "runcated");
  }

  @Test
  void load_garbageAfterTheEndMarker_isIgnored() throws Exception {
    byte[] good = ociArchive(true, layer1, "blobs/sha256/" + hex(layer1), false);
    byte[] withGarbage = Arrays.copyOf(good, good.length + 100);
    Arrays.fill(withGarbage, good.length, withGarbage.length, (byte) 'x');
    assertThat(load(withGarbage)).hasSize(1);
  }

  @Test
  void load_anUnrelatedFile_isNotAnArchive() throws Exception {
    assertRefused("just text, not a tar".getBytes(StandardCharsets.UTF_8), "bad.tar is");
  }
}
