package dev.jbuild.store.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.jbuild.oci.MediaType;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class DecompressTest {
  static final byte[] CONTENT = TestData.mixed(500_000, 21);

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  static byte[] zstd(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = Zstd.compressing(out, 1)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  static byte[] read(byte[] raw, long max) throws IOException {
    try (InputStream in = Decompress.open(new ByteArrayInputStream(raw), max)) {
      return in.readAllBytes();
    }
  }

  /** A stream that does not support mark, like a socket or a file. */
  static InputStream unmarkable(byte[] raw) {
    return new java.io.FilterInputStream(new ByteArrayInputStream(raw)) {
      @Override
      public boolean markSupported() {
        return false;
      }
    };
  }

  @Test
  void open_gzip_decompresses() throws Exception {
    try (InputStream in = Decompress.open(unmarkable(gzip(CONTENT)), CONTENT.length)) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
    }
  }

  @Test
  void open_parallelGzip_decompresses() throws Exception {
    byte[] gz = ParallelGzipOutputStreamTest.gzip(CONTENT, 2, 4096, 10_000);

    assertThat(read(gz, CONTENT.length)).isEqualTo(CONTENT);
  }

  @Test
  void open_zstd_decompresses() throws Exception {
    try (InputStream in = Decompress.open(unmarkable(zstd(CONTENT)), CONTENT.length)) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
    }
  }

  @Test
  void open_plainTar_passesThrough() throws Exception {
    assertThat(read(CONTENT, CONTENT.length)).isEqualTo(CONTENT);
    assertThat(read(new byte[0], 0)).isEmpty();
    assertThat(read(new byte[] {0x1f}, 10)).containsExactly(0x1f); // too short to be gzip
  }

  @Test
  void detect_magicNumbers_leavesPositionUnchanged() throws Exception {
    InputStream gz = new BufferedInputStream(new ByteArrayInputStream(gzip(CONTENT)));
    assertThat(Decompress.detect(gz)).isEqualTo(MediaType.Compression.GZIP);
    assertThat(gz.read()).isEqualTo(0x1f);
    assertThat(Decompress.detect(new ByteArrayInputStream(zstd(CONTENT)))).isEqualTo(MediaType.Compression.ZSTD);
    assertThat(Decompress.detect(new ByteArrayInputStream(new byte[] {0x28, (byte) 0xb5, 0x2f})))
        .isEqualTo(MediaType.Compression.NONE);
  }

  @Test
  void open_tenKibGzipBomb_stopsAtTheCap() throws Exception {
    byte[] bomb = gzip(new byte[10 * 1024 * 1024]); // 10 MiB of zeros in about 10 KiB
    assertThat(bomb.length).isLessThan(11 * 1024);
    long cap = 1024 * 1024;

    try (InputStream in = Decompress.open(new ByteArrayInputStream(bomb), cap)) {
      byte[] buf = new byte[64 * 1024];
      long[] total = {0};
      assertThatThrownBy(() -> {
        for (int n; (n = in.read(buf)) >= 0; ) {
          total[0] += n;
        }
      }).isInstanceOf(IOException.class)
          .hasMessage("layer expands beyond 1048576 bytes; refusing a possible decompression bomb");
      assertThat(total[0]).isEqualTo(cap);
    }
  }

  @Test
  void open_zstdBomb_stopsAtTheCap() throws Exception {
    byte[] bomb = zstd(new byte[10 * 1024 * 1024]);

    assertThatThrownBy(() -> read(bomb, 1000)).hasMessageContaining("layer expands beyond 1000 bytes");
  }

  @Test
  void open_exactlyTheCap_isAllowed() throws Exception {
    assertThat(read(gzip(CONTENT), CONTENT.length)).isEqualTo(CONTENT);
    assertThatThrownBy(() -> read(gzip(CONTENT), CONTENT.length - 1)).hasMessageContaining("decompression bomb");
  }

  @Test
  void open_zstdWindowAbove64MiB_refused() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdOutputStream z = new ZstdOutputStream(out)) {
      z.setWindowLog(27); // a 128 MiB window in the frame header
      z.write(CONTENT);
    }

    assertThatThrownBy(() -> read(out.toByteArray(), Long.MAX_VALUE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("window larger than 67108864 bytes");
  }

  @Test
  void open_truncatedStreams_fail() throws Exception {
    byte[] gz = gzip(CONTENT);
    byte[] zs = zstd(CONTENT);

    assertThatThrownBy(() -> read(Arrays.copyOf(gz, gz.length / 2), Long.MAX_VALUE)).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> read(Arrays.copyOf(zs, zs.length / 2), Long.MAX_VALUE)).isInstanceOf(IOException.class);
  }

  @Test
  void open_negativeCap_rejected() {
    assertThatThrownBy(() -> Decompress.open(new ByteArrayInputStream(new byte[0]), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
