package dev.jbuild.store.compress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Deterministic test input: runs of compressible text alternating with random bytes, like a real layer. */
final class TestData {
  private TestData() {}

  static byte[] mixed(int size, long seed) {
    Random random = new Random(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    int line = 0;
    while (out.size() < size) {
      if (random.nextBoolean()) {
        int run = 1000 + random.nextInt(100_000);
        StringBuilder text = new StringBuilder();
        while (text.length() < run) {
          text.append("line ").append(line++).append(" of a dependency file with some text ").append(random.nextInt(50))
              .append('\n');
        }
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
      } else {
        byte[] noise = new byte[1000 + random.nextInt(60_000)];
        random.nextBytes(noise);
        out.writeBytes(noise);
      }
    }
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, size);
  }
}
