package dev.jbuild.store;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Tags, kept in {@code index.json} as {@code org.opencontainers.image.ref.name} annotations so OCI tools read the
 * store as it is ({@code skopeo inspect oci:ROOT:NAME}, {@code umoci ls --layout ROOT}).
 *
 * <p>Every change is read-modify-write under the ref lock and replaces index.json by rename; tagged entries are
 * written sorted by name (untagged ones after them, in their previous order), so the file is reproducible.
 */
public final class ImageStore {
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  /** The OCI image-layout grammar for ref.name: components of alphanumerics joined by [-._:@+] or "--", "/"-separated. */
  private static final Pattern REF_NAME_PATTERN = Pattern.compile(
      "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");
  private static final int MAX_REF_NAME = 1024;
  /** index.json of a store with tens of thousands of tags is a few MiB; anything far beyond is not ours. */
  private static final long MAX_INDEX_BYTES = 64L * 1024 * 1024;

  private final Path root;
  private final Path indexFile;
  private final StoreLocks locks;
  private final BlobStore blobs;

  ImageStore(Path root, StoreLocks locks, BlobStore blobs) {
    this.root = root;
    this.indexFile = root.resolve("index.json");
    this.locks = locks;
    this.blobs = blobs;
  }

  /** Every tag, sorted by name. */
  public List<TaggedImage> list() throws StoreException {
    List<TaggedImage> out = new ArrayList<>();
    for (Descriptor d : readIndex().manifests()) {
      String name = d.annotations().get(REF_NAME);
      if (name != null) {
        out.add(new TaggedImage(name, withoutRefName(d)));
      }
    }
    out.sort(Comparator.comparing(TaggedImage::name));
    return out;
  }

  /** The manifest tagged {@code name}, without its ref.name annotation. */
  public Optional<Descriptor> resolve(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    Descriptor found = null;
    for (Descriptor d : readIndex().manifests()) {
      if (name.equals(d.annotations().get(REF_NAME))) {
        found = d; // the last one wins, as in a layout another tool wrote with duplicates
      }
    }
    return Optional.ofNullable(found).map(ImageStore::withoutRefName);
  }

  /** Points {@code name} at {@code manifest}, replacing any previous entry of that name; the blob must be present. */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public void tag(String name, Descriptor manifest) throws StoreException {
    validateName(name);
    Objects.requireNonNull(manifest, "manifest");
    if (!blobs.has(manifest.digest())) {
      throw new NoSuchBlobException(manifest.digest());
    }
    Map<String, String> annotations = new HashMap<>(manifest.annotations());
    annotations.put(REF_NAME, name);
    Descriptor entry = manifest.withAnnotations(annotations);
    try (StoreLocks.Held held = lockIndex()) {
      ImageIndex index = readIndex();
      List<Descriptor> entries = new ArrayList<>();
      for (Descriptor d : index.manifests()) {
        if (!name.equals(d.annotations().get(REF_NAME))) {
          entries.add(d);
        }
      }
      entries.add(entry);
      writeIndex(index, entries);
    }
  }

  /**
   * Adds {@code manifest} to index.json with no name (as an untagged image another tool left in a layout), so
   * that prune keeps it; does nothing when an untagged entry for the same digest is there already.
   */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public void addUntagged(Descriptor manifest) throws StoreException {
    Objects.requireNonNull(manifest, "manifest");
    if (!blobs.has(manifest.digest())) {
      throw new NoSuchBlobException(manifest.digest());
    }
    Descriptor entry = withoutRefName(manifest);
    try (StoreLocks.Held held = lockIndex()) {
      ImageIndex index = readIndex();
      for (Descriptor d : index.manifests()) {
        if (!d.annotations().containsKey(REF_NAME) && d.digest().equals(entry.digest())) {
          return;
        }
      }
      List<Descriptor> entries = new ArrayList<>(index.manifests());
      entries.add(entry);
      writeIndex(index, entries);
    }
  }

  /** Removes the tag; returns whether it existed. The manifest blob stays (prune removes unreferenced blobs). */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public boolean untag(String name) throws StoreException {
    Objects.requireNonNull(name, "name");
    try (StoreLocks.Held held = lockIndex()) {
      ImageIndex index = readIndex();
      List<Descriptor> entries = new ArrayList<>();
      boolean removed = false;
      for (Descriptor d : index.manifests()) {
        if (name.equals(d.annotations().get(REF_NAME))) {
          removed = true;
        } else {
          entries.add(d);
        }
      }
      if (removed) {
        writeIndex(index, entries);
      }
      return removed;
    }
  }

  /**
   * Removes every index.json entry (tagged or not) that {@code which} accepts, in one rewrite; returns the removed
   * entries as stored, ref.name annotation included. Used by prune and repair for untagged or broken entries.
   */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public List<Descriptor> removeEntries(Predicate<Descriptor> which) throws StoreException {
    Objects.requireNonNull(which, "which");
    try (StoreLocks.Held held = lockIndex()) {
      ImageIndex index = readIndex();
      List<Descriptor> kept = new ArrayList<>();
      List<Descriptor> removed = new ArrayList<>();
      for (Descriptor d : index.manifests()) {
        (which.test(d) ? removed : kept).add(d);
      }
      if (!removed.isEmpty()) {
        writeIndex(index, kept);
      }
      return removed;
    }
  }

  /**
   * Holds the ref lock until closed, so that a reader of the GC roots (prune, rmi) sees index.json stay as it is:
   * no tag lands between computing what is reachable and deleting what is not. Reentrant on this thread, so
   * {@link #tag}, {@link #untag} and {@link #removeEntries} work while it is held.
   */
  public StoreLock lock() throws StoreException {
    return lockIndex();
  }

  /** Every descriptor of index.json, tagged or not (the GC roots of prune). */
  public List<Descriptor> entries() throws StoreException {
    return readIndex().manifests();
  }

  /** Throws unless {@code name} is a valid {@code org.opencontainers.image.ref.name}. */
  public static void validateName(String name) throws InvalidRefNameException {
    if (name == null || name.isEmpty()) {
      throw new InvalidRefNameException("empty image name");
    }
    if (name.length() > MAX_REF_NAME || !REF_NAME_PATTERN.matcher(name).matches()) {
      String shown = name.length() > 80 ? name.substring(0, 77) + "..." : name;
      throw new InvalidRefNameException("invalid image name \"" + shown + "\": an OCI ref name is made of"
          + " letters and digits joined by one of - . _ : @ + or --, with / between components");
    }
  }

  private StoreLocks.Held lockIndex() throws StoreException {
    try {
      return locks.lockIndex();
    } catch (IOException e) {
      throw new StoreException("cannot lock " + indexFile + ": " + e.getMessage(), e);
    }
  }

  ImageIndex readIndex() throws StoreException {
    byte[] bytes;
    try {
      bytes = Fs.readCapped(indexFile, MAX_INDEX_BYTES, "index");
    } catch (NoSuchFileException e) {
      throw new CorruptStoreException(indexFile + " is missing");
    } catch (IOException e) {
      throw new StoreException("cannot read " + indexFile + ": " + e.getMessage(), e);
    }
    try {
      return OciJson.readIndex(bytes);
    } catch (MalformedContentException e) {
      throw new CorruptStoreException(indexFile + " is malformed (" + e.getMessage() + ")", e);
    }
  }

  /** Rewrites index.json with {@code entries}, keeping the previous index's own annotations. */
  private void writeIndex(ImageIndex previous, List<Descriptor> entries) throws StoreException {
    List<Descriptor> tagged = new ArrayList<>();
    List<Descriptor> untagged = new ArrayList<>();
    for (Descriptor d : entries) {
      (d.annotations().containsKey(REF_NAME) ? tagged : untagged).add(d);
    }
    tagged.sort(Comparator.comparing(d -> d.annotations().get(REF_NAME)));
    tagged.addAll(untagged);
    byte[] json = OciJson.write(
        new ImageIndex(MediaType.OCI_INDEX, previous.artifactType(), tagged, previous.subject(), previous.annotations()));
    try {
      Fs.atomicWrite(indexFile, json, root.resolve("tmp"));
    } catch (IOException e) {
      throw new StoreException("cannot write " + indexFile + ": " + e.getMessage(), e);
    }
  }

  private static Descriptor withoutRefName(Descriptor d) {
    if (!d.annotations().containsKey(REF_NAME)) {
      return d;
    }
    Map<String, String> a = new HashMap<>(d.annotations());
    a.remove(REF_NAME);
    return d.withAnnotations(a);
  }
}
