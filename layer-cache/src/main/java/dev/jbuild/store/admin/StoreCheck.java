package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.CorruptStoreException;
import dev.jbuild.store.ImageStore;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoreLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies the whole store ({@code jbuild system check}): every file in {@code blobs/} hashes to its name and is a
 * regular file, every index.json entry is a sound image ({@link ImageVerifier}), every compression record points
 * at a blob that decompresses to its diffID, every snapshot is complete, and no temp file was left behind.
 *
 * <p>With repair, it deletes corrupt blobs and stray files, removes index.json entries whose image is broken
 * (reporting which tags went), deletes bad compression records and snapshots, and sweeps leftover temp files.
 * Repair only removes: what it deletes is either damaged or can be made again (pull, build, compression).
 * Files younger than the grace period in {@code tmp/} and incomplete snapshots are presumed to be in progress.
 */
public final class StoreCheck {
  private final Store store;
  private final StoreLayout layout;
  private final Duration grace;

  /** A check that presumes temp files and incomplete snapshots younger than an hour to be in progress. */
  public StoreCheck(Store store) {
    this(store, Store.DEFAULT_STALE_TEMP_AGE);
  }

  public StoreCheck(Store store, Duration grace) {
    this.store = Objects.requireNonNull(store, "store");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.layout = new StoreLayout(store);
  }

  /** Checks everything; with {@code repair}, fixes what it can by removing it. */
  public CheckReport check(boolean repair) throws StoreException {
    Run run = new Run(repair, Instant.now().minus(grace));
    run.blobs();
    run.images();
    run.compressionRecords();
    run.snapshots();
    run.temps();
    return new CheckReport(run.problems, run.removedTags, run.blobCount, run.imageCount, run.recordCount,
        run.snapshotCount);
  }

  /** The state of one check. */
  private final class Run {
    final boolean repair;
    final Instant cutoff;
    final List<CheckReport.Problem> problems = new ArrayList<>();
    final List<String> removedTags = new ArrayList<>();
    final Set<Digest> badBlobs = new HashSet<>();
    final LayerDigests digests = new LayerDigests();
    int blobCount;
    int imageCount;
    int recordCount;
    int snapshotCount;

    Run(boolean repair, Instant cutoff) {
      this.repair = repair;
      this.cutoff = cutoff;
    }

    void problem(Path p, String what, String repaired) {
      problems.add(new CheckReport.Problem(layout.show(p), what, repaired));
    }

    /** Reports a stray entry and, with repair, deletes it (a symlink itself, never its target). */
    void stray(Path p, String what) throws StoreException {
      String done = null;
      if (repair) {
        try {
          Trees.delete(p);
          done = "deleted";
        } catch (IOException e) {
          done = null;
          what += "; cannot delete it: " + e.getMessage();
        }
      }
      problem(p, what, done);
    }

    void blobs() throws StoreException {
      for (Path algDir : StoreGc.list(layout.blobs)) {
        String alg = algDir.getFileName().toString();
        if (!(alg.equals(Digest.SHA256) || alg.equals(Digest.SHA512))
            || !Files.isDirectory(algDir, LinkOption.NOFOLLOW_LINKS)) {
          stray(algDir, kind(algDir) + " that is not a digest algorithm directory");
          continue;
        }
        for (Path file : StoreGc.list(algDir)) {
          blob(alg, file);
        }
      }
    }

    private void blob(String alg, Path file) throws StoreException {
      Digest d = StoreLayout.digestOf(alg, file.getFileName().toString()).orElse(null);
      if (d == null) {
        stray(file, kind(file) + " whose name is not a " + alg + " digest");
        return;
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        stray(file, kind(file) + "; blobs must be regular files");
        badBlobs.add(d);
        return;
      }
      blobCount++;
      Digest actual;
      try {
        actual = LayerDigests.hash(file, alg);
      } catch (IOException e) {
        problem(file, "cannot be read: " + e.getMessage(), null);
        return;
      }
      if (actual.equals(d)) {
        return;
      }
      badBlobs.add(d);
      String what = "corrupt: its content hashes to " + actual;
      problem(file, what, repair && deleteCorrupt(d) ? "deleted" : null);
    }

    /** Deletes a corrupt blob under its lock, after hashing it again (a writer may have replaced it meanwhile). */
    @SuppressWarnings("try") // the lock is held for the block, never referenced
    private boolean deleteCorrupt(Digest d) throws StoreException {
      try (StoreLock held = store.blobs().lock(d)) {
        Path file = store.blobs().path(d);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && LayerDigests.hash(file, d.algorithm()).equals(d)) {
          badBlobs.remove(d);
          return true; // replaced by a sound copy: nothing left to repair
        }
        return store.blobs().delete(d);
      } catch (IOException e) {
        throw new StoreException("cannot re-read blob " + d + ": " + e.getMessage(), e);
      }
    }

    void images() throws StoreException {
      List<Descriptor> entries;
      try {
        entries = store.images().entries();
      } catch (CorruptStoreException e) {
        problems.add(new CheckReport.Problem("index.json", e.getMessage()
            + " (not repaired: it holds every tag; restore it, or delete it to start with an empty store)", null));
        return;
      }
      ImageVerifier verifier = new ImageVerifier(store, badBlobs, digests);
      for (Descriptor entry : entries) {
        imageCount++;
        String name = entry.annotations().get(ImageStore.REF_NAME);
        List<String> wrong = verifier.verify(entry);
        if (wrong.isEmpty()) {
          continue;
        }
        String label = name != null ? "image " + name : "untagged image " + entry.digest();
        String done = null;
        if (repair) {
          List<Descriptor> removed = store.images().removeEntries(d -> d.digest().equals(entry.digest())
              && Objects.equals(d.annotations().get(ImageStore.REF_NAME), name));
          if (!removed.isEmpty()) {
            done = name != null ? "removed the tag" : "removed the entry";
            if (name != null) {
              removedTags.add(name);
            }
          }
        }
        for (String w : wrong) {
          problems.add(new CheckReport.Problem(label, w, done));
        }
      }
    }

    void compressionRecords() throws StoreException {
      for (Path algDir : StoreGc.list(layout.compression)) {
        if (!Files.isDirectory(algDir, LinkOption.NOFOLLOW_LINKS)) {
          stray(algDir, kind(algDir) + " that is not a digest algorithm directory");
          continue;
        }
        for (Path hexDir : StoreGc.list(algDir)) {
          Digest diffId = StoreLayout.digestOf(algDir.getFileName().toString(), hexDir.getFileName().toString())
              .orElse(null);
          if (diffId == null || !Files.isDirectory(hexDir, LinkOption.NOFOLLOW_LINKS)) {
            stray(hexDir, kind(hexDir) + " that is not named after a diffID");
            continue;
          }
          for (Path record : StoreGc.list(hexDir)) {
            record(diffId, record);
          }
        }
      }
    }

    private void record(Digest diffId, Path record) throws StoreException {
      MediaType.Compression kind = StoreGc.compressionOf(record.getFileName().toString());
      if (kind == null || !Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
        stray(record, kind(record) + " that is not a gzip or zstd record");
        return;
      }
      recordCount++;
      String wrong;
      try {
        Descriptor target = OciJson.readDescriptor(
            OciJson.readObject(Files.readAllBytes(record), layout.show(record)), layout.show(record));
        wrong = recordProblem(diffId, kind, target);
      } catch (IOException | dev.jbuild.oci.MalformedContentException e) {
        wrong = "malformed record: " + e.getMessage();
      }
      if (wrong != null) {
        stray(record, wrong);
      }
    }

    private String recordProblem(Digest diffId, MediaType.Compression kind, Descriptor target) throws StoreException {
      if (MediaType.layerCompression(target.mediaType()) != kind) {
        return "records a " + target.mediaType() + " blob as its " + StoreGc.recordNameOf(kind) + " copy";
      }
      if (badBlobs.contains(target.digest()) || !store.blobs().has(target.digest())) {
        return "points at " + target.digest() + ", which is missing or corrupt";
      }
      if (store.blobs().size(target.digest()) != target.size()) {
        return "says " + target.digest() + " has " + target.size() + " bytes, but it has "
            + store.blobs().size(target.digest());
      }
      try {
        Digest actual = digests.diffId(target.digest(), store.blobs().path(target.digest()), kind);
        return actual.equals(diffId) ? null
            : "points at " + target.digest() + ", which uncompresses to " + actual + ", not " + diffId;
      } catch (IOException e) {
        return "points at " + target.digest() + ", which does not decompress: " + e.getMessage();
      }
    }

    void snapshots() throws StoreException {
      for (Path algDir : StoreGc.list(layout.snapshots)) {
        String alg = algDir.getFileName().toString();
        if (!(alg.equals(Digest.SHA256) || alg.equals(Digest.SHA512))) {
          continue; // not a snapshot folder: whoever writes snapshots may keep other things here
        }
        for (Path dir : StoreGc.list(algDir)) {
          snapshot(alg, dir);
        }
      }
    }

    private void snapshot(String alg, Path dir) throws StoreException {
      if (!olderThanCutoff(dir)) {
        return; // possibly being extracted right now
      }
      if (StoreLayout.digestOf(alg, dir.getFileName().toString()).isEmpty()) {
        stray(dir, kind(dir) + " whose name is not a diffID");
        return;
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        stray(dir, kind(dir) + "; a snapshot must be a directory");
        return;
      }
      snapshotCount++;
      if (Files.exists(dir.resolve(StoreLayout.INCOMPLETE_MARKER), LinkOption.NOFOLLOW_LINKS)) {
        stray(dir, "incomplete snapshot (its extraction was interrupted)");
      } else if (!Files.isDirectory(dir.resolve(StoreLayout.ROOTFS), LinkOption.NOFOLLOW_LINKS)) {
        stray(dir, "snapshot without a rootfs/ directory");
      }
    }

    void temps() throws StoreException {
      List<Path> stale = new ArrayList<>();
      for (Path f : StoreGc.list(layout.tmp)) {
        if (olderThanCutoff(f)) {
          stale.add(f);
        }
      }
      if (stale.isEmpty()) {
        return;
      }
      if (repair) {
        store.sweepTemp(grace);
      }
      for (Path f : stale) {
        boolean gone = !Files.exists(f, LinkOption.NOFOLLOW_LINKS);
        String what = "leftover temp file";
        if (repair && !gone) {
          what += " (kept: a live writer still holds it, or it is a directory)";
        }
        problem(f, what, repair && gone ? "deleted" : null);
      }
    }

    private boolean olderThanCutoff(Path p) {
      try {
        return !Trees.mtime(p).toInstant().isAfter(cutoff);
      } catch (IOException e) {
        return false; // vanished: nothing to say about it
      }
    }
  }

  private static String kind(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        return "a symlink";
      }
      if (a.isDirectory()) {
        return "a directory";
      }
      if (a.isRegularFile()) {
        return "a file";
      }
      return "a special file";
    } catch (IOException e) {
      return "an entry";
    }
  }
}
