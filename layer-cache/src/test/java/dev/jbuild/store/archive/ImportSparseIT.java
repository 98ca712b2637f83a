package dev.jbuild.store.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rootfs tarballs GNU tar wrote with --sparse (old GNU, PAX 0.0 and 0.1): {@code jbuild import} makes a layer
 * holding the files whole (holes as zeros, as docker import does), and {@code jbuild export} of a layer holding one
 * writes it whole too. Format 1.0, and maps that do not describe their entry, are refused.
 */
class ImportSparseIT {
  private static final Path TAR = Path.of("/usr/bin/tar");

  @TempDir Path tmp;
  Store store;
  byte[] expected;

  @BeforeEach
  void setUp() throws Exception {
    assumeThat(Files.isExecutable(TAR)).as("GNU tar installed").isTrue();
    store = Store.open(tmp.resolve("store"));
    Path src = Files.createDirectories(tmp.resolve("src/var"));
    expected = new byte[3 << 20];
    byte[] data = "some data in the middle".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(data, 0, expected, 1 << 20, data.length);
    try (FileChannel ch = FileChannel.open(src.resolve("disk.img"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(data), 1 << 20);
      ch.write(ByteBuffer.allocate(1), expected.length - 1);
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Path gnuTar(String format) throws Exception {
    Path tarball = tmp.resolve("rootfs.tar");
    List<String> cmd = new ArrayList<>(List.of(TAR.toString(), "--sparse", "--numeric-owner"));
    cmd.addAll(format.equals("gnu") ? List.of("--format=gnu")
        : List.of("--format=posix", "--sparse-version=" + format));
    cmd.addAll(List.of("-cf", tarball.toString(), "-C", tmp.resolve("src").toString(), "."));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(Files.size(tarball)).isLessThan(expected.length / 4); // really written sparse
    return tarball;
  }

  @ParameterizedTest
  @ValueSource(strings = {"gnu", "0.0", "0.1"})
  void export_layerHoldingASparseFile_writesItWhole(String format) throws Exception {
    Images.Layer layer = Images.layer(store, Files.readAllBytes(gnuTar(format)), MediaType.Compression.NONE);
    Descriptor image = Images.image(store, "sparse:1", layer);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    RootfsExporter.export(store.blobs(), StoredImages.read(store.blobs(), image, Platform.host(), "sparse:1"), false,
        out);
    assertThat(diskImage(out.toByteArray())).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void import_sparseFormat10_isRefusedNamingTheFileAndTheWayOut() throws Exception {
    Path tarball = gnuTar("1.0");
    try (InputStream in = Files.newInputStream(tarball)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> RootfsImporter.importRootfs(store.blobs(), in,
          ImageConfig.scratch(Platform.of("linux", "amd64")),
          new ImageConfig.HistoryEntry(Images.TIME, null, null, "Imported", false), "rootfs.tar"))
          .isInstanceOf(ArchiveException.class).hasMessageContaining("rootfs.tar: entry var/disk.img")
          .hasMessageContaining("--sparse-version=0.1");
    }
    assertThat(store.images().entries()).isEmpty();
  }

  /** A PAX 0.1 map claiming more data than the entry stores would have commons-compress read the next entry. */
  @org.junit.jupiter.api.Test
  void import_sparseMapClaimingMoreThanStored_isRefused() throws Exception {
    // Written by hand: commons-compress's writer will not put GNU.sparse.* records on an entry itself.
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    byte[] pax = ("22 GNU.sparse.major=0\n22 GNU.sparse.minor=1\n24 GNU.sparse.size=1200\n"
        + "25 GNU.sparse.map=0,1200\n").getBytes(StandardCharsets.US_ASCII);
    tar.writeBytes(rawHeader("PaxHeader", 'x', pax.length));
    tar.writeBytes(Arrays.copyOf(pax, 512));
    tar.writeBytes(rawHeader("x", '0', 2));
    tar.writeBytes(Arrays.copyOf(new byte[] {'a', 'b'}, 512));
    tar.writeBytes(rawHeader("next", '0', 5));
    tar.writeBytes(Arrays.copyOf("HELLO".getBytes(StandardCharsets.US_ASCII), 512));
    tar.writeBytes(new byte[1024]);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RootfsImporter.importRootfs(store.blobs(),
        new java.io.ByteArrayInputStream(tar.toByteArray()), ImageConfig.scratch(Platform.of("linux", "amd64")),
        new ImageConfig.HistoryEntry(Images.TIME, null, null, "Imported", false), "evil.tar"))
        .isInstanceOf(ArchiveException.class).hasMessageContaining("evil.tar: entry x")
        .hasMessageContaining("describes 1200 bytes of data, the entry stores 2");
    assertThat(store.images().entries()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gnu", "0.0", "0.1"})
  void import_sparseTarball_layerHoldsTheWholeFile(String format) throws Exception {
    Path tarball = gnuTar(format);
    Descriptor image;
    try (InputStream in = Files.newInputStream(tarball)) {
      image = RootfsImporter.importRootfs(store.blobs(), in, ImageConfig.scratch(Platform.of("linux", "amd64")),
          new ImageConfig.HistoryEntry(Images.TIME, null, null, "Imported", false), "rootfs.tar");
    }
    Manifest manifest = OciJson.readManifest(store.blobs().readAll(image.digest(), 1 << 20));
    byte[] layer = store.blobs().readAll(manifest.layers().get(0).digest(), 16 << 20);
    assertThat(Arrays.equals(diskImage(layer), expected)).as("the layer's disk.img equals the sparse file").isTrue();
  }

  private static byte[] rawHeader(String name, char type, long size) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, h, 0, n.length);
    put(h, 100, String.format("%07o", 0644));
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, String.format("%011o", 1_600_000_000L));
    h[156] = (byte) type;
    put(h, 257, "ustar\0" + "00");
    Arrays.fill(h, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o\0 ", sum));
    return h;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  /** var/disk.img from {@code tar}, checked to be a plain file and the only name of it. */
  private static byte[] diskImage(byte[] tar) throws Exception {
    List<String> names = new ArrayList<>();
    byte[] content = null;
    try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
        if (e.getName().equals("var/disk.img")) {
          assertThat(e.isSparse()).isFalse();
          assertThat(e.isFile()).isTrue();
          content = in.readAllBytes();
        }
      }
    }
    assertThat(names).contains("var/disk.img").noneMatch(n -> n.contains("GNUSparseFile"));
    assertThat(content).isNotNull();
    return content;
  }
}
