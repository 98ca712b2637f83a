package dev.jbuild.store.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class ZstdTest {
  static byte[] zstd(byte[] input, int workers, int chunk, boolean flushes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = Zstd.compressing(out, workers)) {
      for (int off = 0; off < input.length; off += chunk) {
        z.write(input, off, Math.min(chunk, input.length - off));
        if (flushes) {
          z.flush();
        }
      }
    }
    return out.toByteArray();
  }

  static byte[] unzstd(byte[] z) throws IOException {
    try (InputStream in = Zstd.decompressing(new ByteArrayInputStream(z))) {
      return in.readAllBytes();
    }
  }

  @Test
  void compressing_oneTwoFourEightWorkers_identicalBytes() throws Exception {
    // Several jobs' worth: level 3's job size is a few MiB, so the worker count could show if it mattered.
    byte[] input = TestData.mixed(40 * 1024 * 1024, 11);

    byte[] one = zstd(input, 1, 1 << 20, false);

    assertThat(zstd(input, 2, 1 << 20, false)).isEqualTo(one);
    assertThat(zstd(input, 4, 1 << 20, false)).isEqualTo(one);
    assertThat(zstd(input, 8, 1 << 20, false)).isEqualTo(one);
    assertThat(unzstd(one)).isEqualTo(input);
  }

  @Test
  void compressing_otherChunkingWithFlushes_identicalBytes() throws Exception {
    byte[] input = TestData.mixed(3 * 1024 * 1024, 12);

    assertThat(zstd(input, 2, 65_537, true)).isEqualTo(zstd(input, 2, input.length, false));
  }

  @Test
  void compressing_frameHasMagicAndNoChecksum() throws Exception {
    byte[] z = zstd("hello".getBytes(), 2, 5, false);

    assertThat(z).startsWith(0x28, 0xb5, 0x2f, 0xfd);
    assertThat(z[4] & 0x04).as("Content_Checksum_flag").isZero();
    assertThat(unzstd(z)).isEqualTo("hello".getBytes());
  }

  @Test
  void compressing_emptyInput_roundTrips() throws Exception {
    assertThat(unzstd(zstd(new byte[0], 2, 1, false))).isEmpty();
  }
}
