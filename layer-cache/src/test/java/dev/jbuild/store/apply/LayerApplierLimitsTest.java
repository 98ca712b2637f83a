package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CASES.md group L, L26-L34: devices, odd headers, duplicates, bombs, scale, truncation, xattrs. */
class LayerApplierLimitsTest {
  @TempDir Path tmp;
  VictimDir v;

  @BeforeEach
  void setUp() throws Exception {
    v = new VictimDir(tmp);
  }

  @Test
  void apply_L26_deviceNumbersOutOfRange_rejectedAndRootlessSkipsDevices() throws Exception {
    v.assertRejected(new TarBuilder().device("big", '3', 1L << 32, 0).bytes()).hasMessageContaining("out of range");
    v.assertRejected(new TarBuilder().device("neg", '4', 1, -1).bytes()).hasMessageContaining("out of range");
    ApplyResult r = v.apply(new TarBuilder().device("null", '3', 1, 3).fifo("pipe").bytes(),
        v.options().withRootless(true));
    assertThat(Files.exists(v.dest.resolve("null"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(v.warnings).anyMatch(w -> w.contains("skipped device node null"));
    assertThat(r.warnings()).isEqualTo(1);
    assertThat(Files.getAttribute(v.dest.resolve("pipe"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
        .matches(m -> ((int) m & 0170000) == 0010000, "a fifo");
    if (ApplyOptions.isRealRoot(ApplyOptions.currentUid())) {
      v.apply(new TarBuilder().device("null", '3', 1, 3).bytes(), v.options().withRootless(false));
      assertThat(Files.getAttribute(v.dest.resolve("null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo((1L << 8) | 3);
    }
    v.assertIntact();
  }

  @Test
  void apply_L27_globalHeaderIgnoredUnknownTypeRejected() throws Exception {
    v.apply(new TarBuilder().global("foo/bar", Map.of("comment", "x".getBytes(StandardCharsets.UTF_8)))
        .file("x", "x").bytes());
    assertThat(v.dest.resolve("foo")).doesNotExist();
    assertThat(v.dest.resolve("x")).hasContent("x");
    v.assertRejected(new TarBuilder().raw("zed", 'Z', 3).bytes()).hasMessageContaining("unsupported tar entry type 'Z'");
    assertThat(v.dest.resolve("zed")).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L28_fileParentReplacedByDirectoryChain() throws Exception {
    v.apply(new TarBuilder().file("nondir", "f").file("nondir/foo/bar/baz", "b").bytes());
    assertThat(v.dest.resolve("nondir")).isDirectory();
    assertThat(v.dest.resolve("nondir/foo/bar/baz")).hasContent("b");
    v.assertIntact();
  }

  @Test
  void apply_L29_duplicatePaths_lastWins() throws Exception {
    Path other = v.dest.resolve("other");
    v.apply(new TarBuilder().file("a", "one").hardlink("other", "a").file("a", "two").dir("d").file("d/x", "x")
        .file("d", "now a file").symlink("s", "a").dir("s").bytes());
    assertThat(v.dest.resolve("a")).hasContent("two");
    assertThat(other).hasContent("one"); // the old inode was replaced, not written through
    assertThat(v.dest.resolve("d")).isRegularFile().hasContent("now a file");
    assertThat(v.dest.resolve("s")).isDirectory();
    assertThat(Files.isSymbolicLink(v.dest.resolve("s"))).isFalse();
    v.assertIntact();
  }

  /** A gzip stream of a tar holding one 20 GiB file of zeros, generated lazily (about 20 MB if read to the end). */
  static InputStream gzipBomb() throws IOException {
    TarBuilder t = new TarBuilder();
    t.header("zeros", '0', "", 0, 0644, 0, 0, Map.of("size", Long.toString(20L << 30).getBytes()));
    byte[] header = t.unterminated();
    Deflater d = new Deflater(9, true);
    byte[] zeros = new byte[1 << 20];
    byte[] first = deflate(d, header);
    byte[] chunk = deflate(d, zeros);
    byte[] next = deflate(d, zeros);
    while (!Arrays.equals(chunk, next)) { // settle into the steady state, where every MiB compresses alike
      chunk = next;
      next = deflate(d, zeros);
    }
    byte[] repeat = chunk;
    byte[] gzipHeader = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    return new InputStream() {
      long chunksLeft = 20 * 1024;
      byte[] cur = concat(gzipHeader, first);
      int pos;

      @Override
      public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos == cur.length) {
          if (chunksLeft-- <= 0) {
            return -1;
          }
          cur = repeat;
          pos = 0;
        }
        int n = Math.min(len, cur.length - pos);
        System.arraycopy(cur, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  private static byte[] deflate(Deflater d, byte[] input) {
    d.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, n);
      if (n < buf.length && d.needsInput()) {
        break;
      }
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void apply_L30_decompressionBombs_abortAtTheCap() throws Exception {
    long cap = 64L << 20;
    assertThatThrownBy(() -> LayerApplier.apply(LayerApplier.decompressed(gzipBomb(), cap), v.dest, v.options()))
        .isInstanceOf(LayerApplyException.class).hasMessageContaining("layer expands beyond " + cap + " bytes");
    assertThat(Files.size(v.dest.resolve("zeros"))).isLessThanOrEqualTo(cap);

    ByteArrayOutputStream zst = new ByteArrayOutputStream();
    try (OutputStream z = new ZstdOutputStream(zst, 19)) {
      TarBuilder t = new TarBuilder();
      t.header("zzz", '0', "", 0, 0644, 0, 0, Map.of("size", Long.toString(1L << 30).getBytes()));
      z.write(t.unterminated());
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 256; i++) {
        z.write(zeros);
      }
    }
    assertThat(zst.size()).isLessThan(64 * 1024);
    long small = 16L << 20;
    assertThatThrownBy(() -> LayerApplier.apply(
        LayerApplier.decompressed(new ByteArrayInputStream(zst.toByteArray()), small), v.dest, v.options()))
        .isInstanceOf(LayerApplyException.class).hasMessageContaining("layer expands beyond " + small + " bytes");
    // The applier's own cap holds on a plain tar too.
    byte[] plain = new TarBuilder().file("big", new byte[4096], 0644).bytes();
    assertThatThrownBy(() -> v.apply(plain, v.options().withMaxBytes(2048)))
        .isInstanceOf(LayerApplyException.class).hasMessageContaining("cap of 2048");
    v.assertIntact();
  }

  @Test
  void decompressed_L31_zstdFrameDeclaringHugeWindow_refused() throws Exception {
    // Frame header: magic, descriptor 0 (no content size, not single-segment), window descriptor 0xA8 = 2^31 bytes;
    // then one last raw block of 4 bytes.
    byte[] frame = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, (byte) 0xa8, (byte) ((4 << 3) | 1), 0, 0,
        'a', 'b', 'c', 'd'};
    assertThatThrownBy(() -> LayerApplier.decompressed(new ByteArrayInputStream(frame), 1 << 20).readAllBytes())
        .isInstanceOf(IOException.class).hasMessageContaining("window larger than 67108864 bytes");
    byte[] ok = frame.clone();
    ok[5] = (byte) (16 << 3); // 2^26: exactly at the cap
    assertThat(LayerApplier.decompressed(new ByteArrayInputStream(ok), 1 << 20).readAllBytes())
        .isEqualTo("abcd".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void decompressed_detectsGzipZstdAndPlain() throws Exception {
    byte[] tar = new TarBuilder().file("f", "content").bytes();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(gz)) {
      o.write(tar);
    }
    ByteArrayOutputStream zs = new ByteArrayOutputStream();
    try (OutputStream o = new ZstdOutputStream(zs)) {
      o.write(tar);
    }
    for (byte[] blob : List.of(tar, gz.toByteArray(), zs.toByteArray())) {
      assertThat(LayerApplier.decompressed(new ByteArrayInputStream(blob), 1 << 20).readAllBytes()).isEqualTo(tar);
    }
  }

  @Test
  void apply_L32_deepPathsHugeDirectoriesAndOpaque_complete() throws Exception {
    Path tarFile = v.extra("big.tar");
    int depth = 2000;
    int wide = 20_000; // bench/layer-apply.sh runs the full L32 sizes (1,000,000 entries, 100k-entry opaque dir)
    Files.createDirectories(v.dest.resolve("wide"));
    for (int i = 0; i < 1000; i++) {
      Files.writeString(v.dest.resolve("wide/lower" + i), "l");
    }
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tarFile), 1 << 20)) {
      StringBuilder p = new StringBuilder();
      for (int i = 0; i < depth; i++) {
        p.append(i == 0 ? "d" : "/d");
        TarBuilder t = new TarBuilder();
        t.dir(p.toString());
        out.write(t.unterminated());
      }
      TarBuilder leaf = new TarBuilder().file(p + "/leaf", "deep");
      out.write(leaf.unterminated());
      for (int i = 0; i < wide; i++) {
        out.write(new TarBuilder().file("wide/f" + i, "").unterminated());
      }
      out.write(new TarBuilder().file("wide/.wh..wh..opq", "").file("wide/.wh..wh..opq", "").bytes());
    }
    ApplyResult r;
    try (InputStream in = Files.newInputStream(tarFile)) {
      r = LayerApplier.apply(in, v.dest, v.options());
    }
    assertThat(r.entries()).isEqualTo(depth + 1 + wide + 2);
    assertThat(v.dest.resolve("d/d/d/d").toFile()).isDirectory();
    try (Stream<Path> s = Files.list(v.dest.resolve("wide"))) {
      assertThat(s.count()).isEqualTo(wide);
    }
    assertThat(v.dest.resolve("wide/lower0")).doesNotExist();
    LayerApplier.deleteTree(v.dest.resolve("d"));
    LayerApplier.deleteTree(v.dest.resolve("wide"));
    v.assertIntact();
  }

  @Test
  void apply_L33_truncatedEntry_errorAndTrailingGarbage_drained() throws Exception {
    TarBuilder t = new TarBuilder();
    t.header("short", '0', "", 1000, 0644, 0, 0, Map.of());
    byte[] cut = Arrays.copyOf(t.unterminated(), 512 + 100);
    v.assertRejected(cut).hasMessageContaining("truncated");
    v.assertRejected(Arrays.copyOf(new TarBuilder().file("f", "x").bytes(), 300)).hasMessageContaining("truncated");
    byte[] good = new TarBuilder().file("f", "x").bytes();
    byte[] withGarbage = concat(good, "garbage after the end marker".repeat(100).getBytes(StandardCharsets.UTF_8));
    ByteArrayInputStream in = new ByteArrayInputStream(withGarbage);
    ApplyResult r = LayerApplier.apply(in, v.dest, v.options());
    assertThat(r.bytes()).isEqualTo(withGarbage.length);
    assertThat(in.available()).isZero();
    v.assertIntact();
  }

  @Test
  void apply_L34_xattrsTheKernelRefuses_warnAndContinue() throws Exception {
    byte[] cap = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    ApplyResult r = v.apply(new TarBuilder()
        .withXattrs("file", Map.of("user.x", "1".getBytes(), "security.capability", cap), '0', "content")
        .withXattrs("link", Map.of("user.x", "1".getBytes()), '2', "file")
        .withXattrs("opq", Map.of("trusted.overlay.opaque", "y".getBytes()), '5', "")
        .file("after", "still applied").bytes());
    UserDefinedFileAttributeView view = Files.getFileAttributeView(v.dest.resolve("file"),
        UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    ByteBuffer b = ByteBuffer.allocate(16);
    view.read("x", b);
    assertThat(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8)).isEqualTo("1");
    assertThat(v.warnings).anyMatch(w -> w.contains("user.x on link")).anyMatch(w -> w.contains("trusted.overlay"));
    assertThat(r.warnings()).isEqualTo(v.warnings.size());
    assertThat(v.dest.resolve("after")).hasContent("still applied");
    if (ApplyOptions.currentUid() == 0 && v.warnings.stream().noneMatch(w -> w.contains("security.capability"))) {
      assertThat(FsOps.run(List.of("getfattr", "-h", "-n", "security.capability", "-e", "hex",
          v.dest.resolve("file").toString()))).contains("0x0100000200040000");
    }
    v.assertIntact();
  }
}
