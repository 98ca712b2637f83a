package dev.jbuild.store.bench;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import dev.jbuild.store.compress.ParallelGzipOutputStream;
import dev.jbuild.store.compress.Zstd;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Java side of {@code bench/compression.sh}. Each mode prints one line {@code RESULT name bytes seconds MB/s
 * cpu-seconds} (and {@code PEAKHEAP} for the large-layer mode) for the script to collect. CPU time is the whole
 * process's over the timed part, so a machine shared with other work can still compare efficiency.
 *
 * <pre>
 *   tar DIR OUT                 LayerTarWriter over a directory into a file
 *   gzip IN OUT THREADS         ParallelGzipOutputStream, file to file
 *   zstd IN OUT WORKERS         zstd-jni level 3, file to file
 *   large STORE GIB             write a GIB-sized layer into a store and gzip it there (run with a small -Xmx)
 * </pre>
 */
public final class CompressionBench {
  private static final int BUF = 128 * 1024;

  private CompressionBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "tar" -> tar(Path.of(args[1]), Path.of(args[2]));
      case "gzip" -> compress("parallel-gzip", Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), true);
      case "zstd" -> compress("zstd-jni", Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), false);
      case "large" -> large(Path.of(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  static void tar(Path dir, Path out) throws IOException {
    Clock t0 = Clock.start();
    List<LayerEntry> entries = LayerTarWriter.fromDirectory(dir);
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), BUF)) {
      LayerTarWriter.write(entries, o, null);
    }
    report("layer-tar", Files.size(out), t0);
  }

  static void compress(String name, Path in, Path out, int threads, boolean gzip) throws IOException {
    // Load zstd-jni's native library (unpacked from the jar on first use) and warm up before the clock starts.
    try (OutputStream warm = gzip
        ? new ParallelGzipOutputStream(OutputStream.nullOutputStream(), threads)
        : Zstd.compressing(OutputStream.nullOutputStream(), threads)) {
      warm.write(new byte[4 << 20]);
    }
    Clock t0 = Clock.start();
    try (InputStream i = Files.newInputStream(in);
        OutputStream o = gzip
            ? new ParallelGzipOutputStream(Files.newOutputStream(out), threads)
            : Zstd.compressing(Files.newOutputStream(out), threads)) {
      byte[] buf = new byte[BUF];
      for (int n; (n = i.read(buf)) >= 0; ) {
        o.write(buf, 0, n);
      }
    }
    report(name, Files.size(in), t0);
    System.out.printf(Locale.ROOT, "SIZE %s %d%n", name, Files.size(out));
  }

  /**
   * A layer of {@code gib} GiB that costs no disk to describe: sparse files (holes read as zeros) plus a little
   * real text, written into the store as a tar, then gzipped into the store. Heap stays flat because everything
   * streams; the caller's -Xmx proves it.
   */
  static void large(Path storeRoot, int gib) throws Exception {
    Path src = Files.createTempDirectory(storeRoot.getParent(), "large-src");
    List<LayerEntry> entries = new ArrayList<>();
    Instant t = Instant.parse("2020-01-01T00:00:00Z");
    entries.add(LayerEntry.directory("data", 0755, 0, 0, t));
    long each = 1L << 30;
    for (int i = 0; i < gib; i++) {
      Path f = src.resolve("sparse" + i);
      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
        raf.setLength(each);
        raf.seek(each / 2);
        raf.write(("middle of part " + i + "\n").repeat(1000).getBytes());
      }
      entries.add(LayerEntry.file("data/part" + i, f, each, 0644, 0, 0, t));
    }
    try (Store store = Store.open(storeRoot)) {
      Clock t0 = Clock.start();
      Layer layer = LayerBlobs.writeLayer(store.blobs(), entries, null);
      report("large-layer-tar", layer.blob().size(), t0);
      Clock t1 = Clock.start();
      Descriptor gz = LayerBlobs.compressed(store, layer.diffId(), MediaType.Compression.GZIP);
      report("large-layer-gzip", layer.blob().size(), t1);
      System.out.printf(Locale.ROOT, "SIZE large-layer-gzip %d%n", gz.size());
      store.blobs().delete(gz.digest());
      store.blobs().delete(layer.diffId());
    } finally {
      try (var s = Files.list(src)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(src);
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(Locale.ROOT, "PEAKHEAP %d MiB of -Xmx %d MiB%n", peak >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  private record Clock(long wallNanos, long cpuNanos) {
    static Clock start() {
      return new Clock(System.nanoTime(), processCpuNanos());
    }

    static long processCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }

  private static void report(String name, long bytes, Clock start) {
    double s = (System.nanoTime() - start.wallNanos()) / 1e9;
    double cpu = (Clock.processCpuNanos() - start.cpuNanos()) / 1e9;
    System.out.printf(Locale.ROOT, "RESULT %s %d %.2f %.1f %.2f%n", name, bytes, s, bytes / 1e6 / s, cpu);
  }
}
