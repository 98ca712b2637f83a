package dev.jbuild.store.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ParallelGzipOutputStreamTest {
  static final int BLOCK = ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE;

  static byte[] gzip(byte[] input, int threads, int blockSize, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, threads, blockSize)) {
      for (int off = 0; off < input.length; off += chunk) {
        int n = Math.min(chunk, input.length - off);
        if (n == 1) {
          gz.write(input[off]);
        } else {
          gz.write(input, off, n);
        }
      }
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void write_oneTwoAndEightThreads_identicalBytes() throws Exception {
    byte[] input = TestData.mixed(3 * 1024 * 1024 + 17, 1);

    byte[] one = gzip(input, 1, BLOCK, 1 << 20);
    byte[] two = gzip(input, 2, BLOCK, 1 << 20);
    byte[] eight = gzip(input, 8, BLOCK, 1 << 20);

    assertThat(two).isEqualTo(one);
    assertThat(eight).isEqualTo(one);
    assertThat(gunzip(one)).isEqualTo(input);
  }

  @Test
  void write_differentChunkingsAndFlushes_identicalBytes() throws Exception {
    byte[] input = TestData.mixed(600_000, 2);
    byte[] whole = gzip(input, 2, 4096, input.length);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Random random = new Random(3);
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 3, 4096)) {
      int off = 0;
      while (off < input.length) {
        int n = Math.min(input.length - off, random.nextInt(10_000));
        gz.write(input, off, n);
        off += n;
        if (random.nextInt(10) == 0) {
          gz.flush();
        }
      }
    }

    assertThat(out.toByteArray()).isEqualTo(whole);
    assertThat(gzip(input, 2, 4096, 1)).isEqualTo(whole); // byte by byte
  }

  @Test
  void write_emptyInput_validGzipOfNothing() throws Exception {
    byte[] gz = gzip(new byte[0], 2, BLOCK, 1);

    assertThat(gunzip(gz)).isEmpty();
    assertThat(gz).hasSize(10 + 2 + 8); // header, an empty final fixed-Huffman block, trailer
  }

  @Test
  void write_oneByte_roundTripsWithExactHeaderAndTrailer() throws Exception {
    byte[] gz = gzip(new byte[] {'x'}, 2, BLOCK, 1);

    assertThat(gunzip(gz)).containsExactly('x');
    assertThat(gz).startsWith(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    CRC32 crc = new CRC32();
    crc.update('x');
    assertThat(le32(gz, gz.length - 8)).isEqualTo(crc.getValue());
    assertThat(le32(gz, gz.length - 4)).isEqualTo(1);
  }

  @Test
  void write_exactlyOneBlock_isOneFinalBlockWithoutAnEmptyTail() throws Exception {
    byte[] input = TestData.mixed(BLOCK, 4);

    byte[] gz = gzip(input, 2, BLOCK, 1000);

    assertThat(gunzip(gz)).isEqualTo(input);
    // The same as deflating the whole input in one go: the full block was not cut before close.
    Deflater d = new Deflater(6, true);
    d.setInput(input);
    d.finish();
    byte[] raw = new byte[2 * BLOCK];
    int n = d.deflate(raw);
    d.end();
    assertThat(gz.length).isEqualTo(10 + n + 8);
  }

  @Test
  void write_blockBoundaries_roundTrip() throws Exception {
    for (int size : new int[] {BLOCK - 1, BLOCK + 1, 2 * BLOCK, 2 * BLOCK + 1, 5 * BLOCK + 123}) {
      byte[] input = TestData.mixed(size, size);
      assertThat(gunzip(gzip(input, 2, BLOCK, 7777))).as("size %d", size).isEqualTo(input);
    }
  }

  @Test
  void write_hugeSingleWrite_roundTrips() throws Exception {
    byte[] input = TestData.mixed(40 * 1024 * 1024, 5);

    byte[] gz = gzip(input, 2, BLOCK, input.length);

    assertThat(gunzip(gz)).isEqualTo(input);
  }

  @Test
  void write_compressibleText_ratioWithinOnePercentOfSingleStreamGzip() throws Exception {
    byte[] input = TestData.mixed(8 * 1024 * 1024, 6);
    ByteArrayOutputStream single = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(single)) {
      gz.write(input);
    }

    byte[] parallel = gzip(input, 2, BLOCK, 1 << 20);

    assertThat((double) parallel.length).isLessThan(single.size() * 1.01);
  }

  @Test
  void finish_leavesTargetOpen_closeClosesIt() throws Exception {
    boolean[] closed = {false};
    ByteArrayOutputStream sink = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    ParallelGzipOutputStream gz = new ParallelGzipOutputStream(sink, 2);
    gz.write(new byte[] {1, 2, 3});
    gz.finish();
    assertThat(closed[0]).isFalse();
    assertThat(gunzip(sink.toByteArray())).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> gz.write(4)).isInstanceOf(IOException.class);

    gz.close();
    assertThat(closed[0]).isTrue();
    assertThat(gunzip(sink.toByteArray())).containsExactly(1, 2, 3);
  }

  @Test
  void write_targetFails_errorSurfacesAndStreamStaysFailed() throws Exception {
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    ParallelGzipOutputStream gz = new ParallelGzipOutputStream(broken, 2, 4096);

    assertThatThrownBy(() -> gz.write(new byte[100_000])).hasMessageContaining("No space left");
    assertThatThrownBy(() -> gz.write(1)).hasMessageContaining("failed earlier");
    gz.close(); // the error was reported already; closing only releases the workers
  }

  @Test
  void new_badArguments_rejected() {
    assertThatThrownBy(() -> new ParallelGzipOutputStream(new ByteArrayOutputStream(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ParallelGzipOutputStream(new ByteArrayOutputStream(), 1, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static long le32(byte[] b, int off) {
    return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
  }
}
