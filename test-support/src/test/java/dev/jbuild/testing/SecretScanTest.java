package dev.jbuild.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretScanTest {
  private static final byte[] NEEDLE = "the-secret-value".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;

  @Test
  void filesContaining_plainGzipAndAbsent_findsOnlyThePlainAndTheCompressedCopies() throws Exception {
    Files.createDirectories(tmp.resolve("blobs/sha256"));
    Path plain = Files.write(tmp.resolve("plain"), ("prefix the-secret-value suffix").getBytes(StandardCharsets.UTF_8));
    Path gz = tmp.resolve("blobs/sha256/gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(new byte[100_000]);
      out.write(NEEDLE);
    }
    Files.writeString(tmp.resolve("other"), "the-secret-valu");
    assertThat(SecretScan.filesContaining(tmp, NEEDLE)).containsExactlyInAnyOrder(plain, gz);
  }

  @Test
  void contains_needleAcrossTheReadBufferBoundary_isFound() throws Exception {
    byte[] data = new byte[64 * 1024 + 40];
    // The scanner reads 64 KiB plus the needle length at a time: this copy straddles the end of the first read.
    int at = 64 * 1024 + NEEDLE.length - 5;
    System.arraycopy(NEEDLE, 0, data, at, NEEDLE.length);
    assertThat(SecretScan.contains(new ByteArrayInputStream(data), NEEDLE)).isTrue();
    data[at] = (byte) 'X';
    assertThat(SecretScan.contains(new ByteArrayInputStream(data), NEEDLE)).isFalse();
  }
}
