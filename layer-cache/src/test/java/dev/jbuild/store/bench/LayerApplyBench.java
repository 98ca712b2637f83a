package dev.jbuild.store.bench;

import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.ApplyResult;
import dev.jbuild.store.apply.LayerApplier;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Layer apply throughput, run by {@code bench/layer-apply.sh}:
 *
 * <pre>
 * LayerApplyBench WORKDIR mixed MB RUNS   ~MB of text and random files (4 KiB to 8 MiB), MB/s of tar applied
 * LayerApplyBench WORKDIR tiny N          N empty files in N/1000 directories (L32), entries/s
 * LayerApplyBench WORKDIR deep DEPTH      a directory chain DEPTH deep (L32)
 * LayerApplyBench WORKDIR opaque N        N files then an opaque marker in one directory holding N lower files (L32)
 * </pre>
 */
public final class LayerApplyBench {
  private LayerApplyBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createDirectories(Path.of(args[0]));
    String mode = args[1];
    long n = Long.parseLong(args[2]);
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    Path tar = work.resolve("bench.tar");
    try {
      long t0 = System.nanoTime();
      Path lower = null;
      switch (mode) {
        case "mixed" -> mixed(tar, n << 20);
        case "tiny" -> tiny(tar, n);
        case "deep" -> deep(tar, (int) n);
        case "opaque" -> lower = opaque(tar, work, n);
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
      System.out.printf("generated %s: %.1f MB in %.1f s%n", mode, Files.size(tar) / 1e6, secs(t0));
      for (int r = 0; r < runs; r++) {
        Path dest = lower != null ? lower : Files.createDirectory(work.resolve("dest-" + r));
        long t = System.nanoTime();
        ApplyResult res;
        try (InputStream in = Files.newInputStream(tar)) {
          res = LayerApplier.apply(in, dest, ApplyOptions.defaults());
        }
        double s = secs(t);
        System.out.printf("run %d: %d entries, %.1f MB in %.2f s = %.0f MB/s, %.0f entries/s%n", r + 1,
            res.entries(), res.bytes() / 1e6, s, res.bytes() / 1e6 / s, res.entries() / s);
        LayerApplier.deleteTree(dest);
      }
    } finally {
      Files.deleteIfExists(tar);
    }
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static TarArchiveOutputStream open(Path tar) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 20);
    TarArchiveOutputStream t = new TarArchiveOutputStream(out);
    t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    return t;
  }

  private static void mixed(Path tar, long total) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    byte[] text = ("The quick brown fox jumps over the lazy dog; layer bytes are mostly text, binaries and "
        + "compressed assets.\n").repeat(2000).getBytes(StandardCharsets.UTF_8);
    byte[] buf = new byte[1 << 20];
    try (TarArchiveOutputStream t = open(tar)) {
      long written = 0;
      int i = 0;
      while (written < total) {
        if (i % 50 == 0) {
          dir(t, "d" + i / 50 + "/");
        }
        long size = (long) Math.exp(Math.log(4096) + rnd.nextDouble() * (Math.log(8 << 20) - Math.log(4096)));
        boolean random = rnd.nextBoolean();
        TarArchiveEntry e = new TarArchiveEntry("d" + i / 50 + "/f" + i + (random ? ".bin" : ".txt"));
        e.setSize(size);
        e.setMode(0100644);
        t.putArchiveEntry(e);
        for (long left = size; left > 0; ) {
          int k = (int) Math.min(left, buf.length);
          if (random) {
            for (int j = 0; j + 8 <= k; j += 8) {
              long v = rnd.nextLong();
              for (int b = 0; b < 8; b++) {
                buf[j + b] = (byte) (v >>> (8 * b));
              }
            }
            t.write(buf, 0, k);
          } else {
            for (int off = 0; off < k; ) {
              int m = Math.min(k - off, text.length);
              t.write(text, 0, m);
              off += m;
            }
          }
          left -= k;
        }
        t.closeArchiveEntry();
        written += size;
        i++;
      }
    }
  }

  private static void dir(TarArchiveOutputStream t, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(040755);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  private static void empty(TarArchiveOutputStream t, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100644);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  private static void tiny(Path tar, long n) throws IOException {
    try (TarArchiveOutputStream t = open(tar)) {
      for (long i = 0; i < n; i++) {
        if (i % 1000 == 0) {
          dir(t, "d" + i / 1000 + "/");
        }
        empty(t, "d" + i / 1000 + "/f" + i);
      }
    }
  }

  private static void deep(Path tar, int depth) throws IOException {
    try (TarArchiveOutputStream t = open(tar)) {
      StringBuilder p = new StringBuilder();
      for (int i = 0; i < depth; i++) {
        p.append("d/");
        dir(t, p.toString());
      }
      empty(t, p + "leaf");
    }
  }

  private static Path opaque(Path tar, Path work, long n) throws IOException {
    Path lower = Files.createDirectories(work.resolve("lower/wide"));
    for (long i = 0; i < n; i++) {
      Files.createFile(lower.resolve("lower" + i));
    }
    try (TarArchiveOutputStream t = open(tar)) {
      List<String> names = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        names.add("wide/f" + i);
      }
      for (String s : names) {
        empty(t, s);
      }
      empty(t, "wide/.wh..wh..opq");
    }
    return lower.getParent();
  }
}
