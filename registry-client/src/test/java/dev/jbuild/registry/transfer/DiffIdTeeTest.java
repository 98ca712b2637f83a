package dev.jbuild.registry.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class DiffIdTeeTest {
  private static byte[] plain(int size, long seed) {
    byte[] b = new byte[size];
    Random r = new Random(seed);
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i % 3 == 0 ? r.nextInt() : 'a' + i % 7); // compressible, but not to nothing
    }
    return b;
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  /** Writes {@code bytes} in uneven pieces, as a network read loop would. */
  private static void writeInPieces(OutputStream out, byte[] bytes) throws IOException {
    int[] sizes = {1, 7, 65536, 3000, 100_000, 2 * DiffIdTee.CHUNK + 5}; // the last spans two hand-off chunks
    int pos = 0;
    for (int i = 0; pos < bytes.length; i++) {
      int n = Math.min(sizes[i % sizes.length], bytes.length - pos);
      out.write(bytes, pos, n);
      pos += n;
    }
  }

  @Test
  void finish_gzipWrittenInPieces_returnsTheUncompressedDigestAndPassesEveryByteOn() throws Exception {
    byte[] plain = plain(3_000_000, 1);
    byte[] compressed = gzip(plain);
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    try (DiffIdTee tee = new DiffIdTee(target, MediaType.Compression.GZIP, "t1")) {
      writeInPieces(tee, compressed);
      assertThat(tee.finish()).isEqualTo(Digest.sha256Of(plain));
    }
    assertThat(target.toByteArray()).isEqualTo(compressed);
  }

  @Test
  void finish_concatenatedGzipMembers_hashesEveryMember() throws Exception {
    // pigz and some registries' tooling write several gzip members; a file read decompresses all of them.
    byte[] first = plain(200_000, 2);
    byte[] second = plain(300_000, 3);
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(gzip(first));
    both.write(gzip(second));
    byte[] all = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    try (DiffIdTee tee = new DiffIdTee(OutputStream.nullOutputStream(), MediaType.Compression.GZIP, "t2")) {
      writeInPieces(tee, both.toByteArray());
      assertThat(tee.finish()).isEqualTo(Digest.sha256Of(all));
    }
  }

  @Test
  void finish_zstd_returnsTheUncompressedDigest() throws Exception {
    byte[] plain = plain(1_000_000, 4);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (ZstdOutputStream z = new ZstdOutputStream(compressed)) {
      z.write(plain);
    }
    try (DiffIdTee tee = new DiffIdTee(OutputStream.nullOutputStream(), MediaType.Compression.ZSTD, "t3")) {
      writeInPieces(tee, compressed.toByteArray());
      assertThat(tee.finish()).isEqualTo(Digest.sha256Of(plain));
    }
  }

  @Test
  void finish_notGzip_failsNamingTheCompressionAfterTakingEveryByte() throws Exception {
    byte[] garbage = plain(2_000_000, 5); // far more than the hand-off queue holds: the writer must never block
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    try (DiffIdTee tee = new DiffIdTee(target, MediaType.Compression.GZIP, "t4")) {
      writeInPieces(tee, garbage);
      assertThatThrownBy(tee::finish).isInstanceOf(IOException.class)
          .hasMessageContaining("does not decompress as gzip");
    }
    assertThat(target.size()).isEqualTo(garbage.length);
  }

  @Test
  void close_withoutFinish_stopsTheWorkerThread() throws Exception {
    byte[] compressed = gzip(plain(1_000_000, 6));
    DiffIdTee tee = new DiffIdTee(OutputStream.nullOutputStream(), MediaType.Compression.GZIP, "abandoned");
    tee.write(compressed, 0, compressed.length / 2);
    tee.close();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("jbuild-diffid-abandoned"));
  }
}
