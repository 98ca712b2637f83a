package dev.jbuild.store.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Archives and their layers are read with the same limits as layers in the store. */
class DecompressionTest {
  // Frame header: magic, descriptor 0, window descriptor 0xA8 = 2^31 bytes; then one last raw block of "abcd".
  private static final byte[] HUGE_WINDOW = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, (byte) 0xa8,
      (byte) ((4 << 3) | 1), 0, 0, 'a', 'b', 'c', 'd'};

  @Test
  void open_L31_zstdFrameDeclaringHugeWindow_isRefused() {
    assertThatThrownBy(() -> Decompression.open(new ByteArrayInputStream(HUGE_WINDOW)).readAllBytes())
        .isInstanceOf(IOException.class).hasMessageContaining("window larger than 67108864 bytes");
  }

  @Test
  void sniff_gzipZstdXzAndPlain() throws IOException {
    assertThat(Decompression.sniff(new java.io.BufferedInputStream(new ByteArrayInputStream(HUGE_WINDOW))))
        .isEqualTo(Decompression.Kind.ZSTD);
    byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1};
    assertThat(Decompression.sniff(new java.io.BufferedInputStream(new ByteArrayInputStream(xz))))
        .isEqualTo(Decompression.Kind.XZ);
    byte[] plain = "plain".getBytes(StandardCharsets.US_ASCII);
    assertThat(Decompression.sniff(new java.io.BufferedInputStream(new ByteArrayInputStream(plain))))
        .isEqualTo(Decompression.Kind.NONE);
    assertThat(Decompression.open(new ByteArrayInputStream(plain)).readAllBytes()).isEqualTo(plain);
  }
}
