package dev.jbuild.store;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/** The second process of the multi-process tests; each mode is one scenario. Not a test itself. */
public final class StoreChild {
  private StoreChild() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]);
    switch (args[0]) {
      case "tag" -> tag(root, args[2], Integer.parseInt(args[3]));
      case "slow-ingest" -> slowIngest(root, Long.parseLong(args[2]), Long.parseLong(args[3]));
      case "ingest-loop" -> ingestLoop(root, Integer.parseInt(args[2]));
      case "same-blobs" -> sameBlobs(root, args[2], Integer.parseInt(args[3]));
      case "slow-resumable" -> slowResumable(root, Long.parseLong(args[2]), Long.parseLong(args[3]));
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.out.println("DONE");
  }

  /** Stores a shared blob, a blob of its own and a "manifest", then tags it, {@code n} times. */
  static void tag(Path root, String prefix, int n) throws Exception {
    try (Store store = Store.open(root)) {
      for (int i = 0; i < n; i++) {
        store.blobs().put(MediaType.OCI_LAYER, sharedContent(i));
        Descriptor own = store.blobs().put(MediaType.OCI_LAYER, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST,
            ("{\"own\":\"" + own.digest() + "\"}").getBytes(StandardCharsets.UTF_8));
        store.images().tag(prefix + ":" + i, manifest);
      }
    }
  }

  static byte[] sharedContent(int i) {
    byte[] b = new byte[64 * 1024 + i];
    new Random(i).nextBytes(b);
    return b;
  }

  /** The blob {@link #ingestLoop} writes as its {@code i}th: 0 to 256 KiB of pseudo-random bytes. */
  static byte[] loopBlob(int i) {
    Random r = new Random(1000 + i);
    byte[] b = new byte[r.nextInt(256 * 1024 + 1)];
    r.nextBytes(b);
    return b;
  }

  /**
   * Writes blobs {@code start, start+1, ...} until killed, each a different way (verified ingest, resumable writer
   * in pieces, put), so a kill lands in a write, an fsync, a rename or between blobs. Prints READY once open.
   */
  static void ingestLoop(Path root, int start) throws Exception {
    try (Store store = Store.open(root)) {
      System.out.println("READY");
      System.out.flush();
      for (int i = start; ; i++) {
        byte[] b = loopBlob(i);
        Digest d = Digest.sha256Of(b);
        switch (i % 3) {
          case 0 -> store.blobs().ingest(new java.io.ByteArrayInputStream(b), d, b.length);
          case 1 -> {
            try (BlobWriter w = store.blobs().resumableWriter(d, b.length)) {
              for (int off = (int) w.written(); off < b.length; off += 16 * 1024) {
                w.stream().write(b, off, Math.min(16 * 1024, b.length - off));
              }
              w.commit(d, b.length);
            }
          }
          default -> store.blobs().put(MediaType.OCI_LAYER, b);
        }
      }
    }
  }

  /** The blobs every {@link #sameBlobs} process writes: 256 KiB to 1 MiB each. */
  static byte[] sameBlob(int i) {
    Random r = new Random(5000 + i);
    byte[] b = new byte[256 * 1024 + r.nextInt(768 * 1024)];
    r.nextBytes(b);
    return b;
  }

  /**
   * Ingests the same {@code n} blobs as every other process running this, half "lock, check, ingest" (one
   * downloads, the others wait and find it) and half racing straight into commit, then tags a manifest for each.
   */
  static void sameBlobs(Path root, String prefix, int n) throws Exception {
    try (Store store = Store.open(root)) {
      for (int i = 0; i < n; i++) {
        byte[] b = sameBlob(i);
        Digest d = Digest.sha256Of(b);
        if (i % 2 == 0) {
          try (StoreLock lock = store.blobs().lock(d)) {
            if (!store.blobs().has(d)) {
              store.blobs().ingest(new java.io.ByteArrayInputStream(b), d, b.length);
            }
          }
        } else {
          store.blobs().ingest(new java.io.ByteArrayInputStream(b), d, b.length);
        }
        Descriptor manifest = store.blobs().put(MediaType.OCI_MANIFEST,
            ("{\"layer\":\"" + d + "\"}").getBytes(StandardCharsets.UTF_8));
        store.images().tag(prefix + ":" + i, manifest);
      }
    }
  }

  /** A resumable ingest of {@code size} pseudo-random bytes, slowly, for a test to kill part-way. */
  static void slowResumable(Path root, long size, long seed) throws Exception {
    Digest expected = Digest.sha256(hash(size, seed));
    try (Store store = Store.open(root); BlobWriter w = store.blobs().resumableWriter(expected, size)) {
      try (InputStream in = new SlowStream(size, seed)) {
        in.skipNBytes(w.written());
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
          w.stream().write(buf, 0, n);
          w.stream().flush(); // so the test sees progress on disk
        }
      }
      w.commit(expected, size);
    }
  }

  /** Ingests {@code size} pseudo-random bytes slowly, announcing itself after the first chunk. */
  static void slowIngest(Path root, long size, long seed) throws Exception {
    Digest expected = Digest.sha256(hash(size, seed));
    try (Store store = Store.open(root)) {
      store.blobs().ingest(new SlowStream(size, seed), expected, size);
    }
  }

  static byte[] hash(long size, long seed) throws IOException {
    var md = Digest.newSha256();
    try (InputStream in = new SlowStream(size, seed, false)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  /** Deterministic pseudo-random bytes, 64 KiB per read, with a pause so a test can kill us mid-write. */
  static final class SlowStream extends InputStream {
    private final Random random;
    private final boolean slow;
    private long remaining;

    SlowStream(long size, long seed) {
      this(size, seed, true);
    }

    SlowStream(long size, long seed, boolean slow) {
      this.random = new Random(seed);
      this.remaining = size;
      this.slow = slow;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(Math.min(len, 65536), remaining);
      byte[] chunk = new byte[n];
      random.nextBytes(chunk);
      System.arraycopy(chunk, 0, b, off, n);
      remaining -= n;
      if (slow) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return n;
    }
  }
}
