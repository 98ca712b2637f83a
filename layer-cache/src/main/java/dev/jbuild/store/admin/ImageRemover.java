package dev.jbuild.store.admin;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.CorruptStoreException;
import dev.jbuild.store.ImageStore;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoreLock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code rmi} with docker's semantics. Removing a name only untags it while another name still references the same
 * manifest; removing the last name (or the image by digest or ID) also deletes, at once, every blob, compression
 * record and snapshot that only this image kept, while blobs shared with other images stay. Removing by digest an
 * image that has names in several repositories needs {@code force}; an image a running container uses is never
 * deleted (with {@code force} it loses its names but keeps its blobs).
 *
 * <pre>{@code
 * Removal r = new ImageRemover(store, ImageUsers.NONE).removeTag("app:1", false);
 * }</pre>
 */
public final class ImageRemover {
  private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{1,64}");

  private final Store store;
  private final ImageUsers users;
  private final StoreGc gc;

  public ImageRemover(Store store, ImageUsers users) {
    this(store, users, new DirectoryBuildCache(store));
  }

  public ImageRemover(Store store, ImageUsers users, BuildCacheView buildCache) {
    this.store = Objects.requireNonNull(store, "store");
    this.users = Objects.requireNonNull(users, "users");
    this.gc = new StoreGc(store, StoreGc.DEFAULT_GRACE, buildCache, users);
  }

  /** {@code rmi NAME}: {@code name} as stored in index.json (the familiar form, e.g. {@code app:1}). */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public Removal removeTag(String name, boolean force) throws StoreException {
    Objects.requireNonNull(name, "name");
    try (StoreLock held = store.images().lock()) {
      List<Descriptor> entries = store.images().entries();
      Descriptor target = null;
      for (Descriptor d : entries) {
        if (name.equals(d.annotations().get(ImageStore.REF_NAME))) {
          target = d; // the last one wins, as in ImageStore.resolve
        }
      }
      if (target == null) {
        throw new NoSuchImageException("no such image: " + name);
      }
      Set<String> others = namesOf(entries, target.digest());
      others.remove(name);
      if (!others.isEmpty()) {
        store.images().untag(name);
        return new Removal(List.of(name), List.of(), 0, null);
      }
      String inUse = inUse(target);
      if (inUse != null && !force) {
        throw new ImageConflictException(
            "conflict: unable to remove repository reference \"" + name + "\" (must force) - " + inUse);
      }
      store.images().untag(name);
      return collect(List.of(target), List.of(name), inUse);
    }
  }

  /** {@code rmi DIGEST}: removes every index.json entry of {@code manifest}, tagged or not. */
  @SuppressWarnings("try") // the lock is held for the block, never referenced
  public Removal removeImage(Digest manifest, boolean force) throws StoreException {
    Objects.requireNonNull(manifest, "manifest");
    try (StoreLock held = store.images().lock()) {
      List<Descriptor> entries = new ArrayList<>();
      for (Descriptor d : store.images().entries()) {
        if (d.digest().equals(manifest)) {
          entries.add(d);
        }
      }
      if (entries.isEmpty()) {
        throw new NoSuchImageException("no such image: " + manifest);
      }
      Set<String> names = namesOf(entries, manifest);
      Set<String> repositories = new TreeSet<>();
      names.forEach(n -> repositories.add(repository(n)));
      if (repositories.size() > 1 && !force) {
        throw new ImageConflictException("conflict: unable to delete " + manifest.shortHex()
            + " (must be forced) - image is referenced in multiple repositories: " + String.join(", ", names));
      }
      String inUse = inUse(entries.get(0));
      if (inUse != null && !force) {
        throw new ImageConflictException("conflict: unable to delete " + manifest.shortHex() + " (must be forced) - "
            + inUse);
      }
      store.images().removeEntries(d -> d.digest().equals(manifest));
      return collect(entries, new ArrayList<>(names), inUse);
    }
  }

  /**
   * The image whose manifest digest is {@code id}: a full {@code sha256:...} digest, or a unique prefix of its hex
   * (with or without {@code sha256:}), as {@code jbuild images} shows IDs. Empty when none matches or {@code id}
   * is not hex; an ID that matches several images is an error naming them.
   */
  public Optional<Digest> findImage(String id) throws StoreException {
    Objects.requireNonNull(id, "id");
    String hex = id.startsWith(Digest.SHA256 + ":") ? id.substring(Digest.SHA256.length() + 1) : id;
    if (!HEX_PREFIX.matcher(hex).matches()) {
      return Optional.empty();
    }
    Set<Digest> matches = new TreeSet<>();
    for (Descriptor d : store.images().entries()) {
      if (d.digest().algorithm().equals(Digest.SHA256) && d.digest().hex().startsWith(hex)) {
        matches.add(d.digest());
      }
    }
    if (matches.size() > 1) {
      throw new ImageConflictException("image ID \"" + id + "\" is ambiguous: it matches " + matches);
    }
    return matches.stream().findFirst();
  }

  /** Deletes what only {@code removed} kept; the caller holds the ref lock and has already untagged them. */
  private Removal collect(List<Descriptor> removed, List<String> names, String inUse) throws StoreException {
    if (inUse != null) {
      return new Removal(names, List.of(), 0, inUse);
    }
    Set<Digest> blobs = new LinkedHashSet<>();
    Set<Digest> diffIds = new LinkedHashSet<>();
    try {
      Reachability gone = Reachability.of(store, removed);
      blobs.addAll(gone.blobs);
      diffIds.addAll(gone.diffIds);
    } catch (CorruptStoreException e) {
      removed.forEach(d -> blobs.add(d.digest())); // unreadable: at least its own manifest goes
    }
    Reachability live;
    try {
      live = gc.live();
    } catch (CorruptStoreException e) {
      return new Removal(names, List.of(), 0, "another image is unreadable, so its blobs may be shared: "
          + e.getMessage());
    }
    PruneReport r = gc.sweep(live, new StoreGc.Scope(false, blobs, diffIds, gc.cutoff()));
    return new Removal(names, r.deletedBlobs(), r.blobBytes() + r.snapshotBytes(), null);
  }

  /** Why the image must not be deleted (a running container uses it), or null. */
  private String inUse(Descriptor image) throws StoreException {
    Set<Digest> used = users.manifestsInUse();
    if (used.isEmpty()) {
      return null;
    }
    Set<Digest> mine = new LinkedHashSet<>();
    mine.add(image.digest());
    if (MediaType.isIndex(image.mediaType()) && store.blobs().has(image.digest())) {
      try {
        ImageIndex index = OciJson.readIndex(store.blobs().readAll(image.digest(), Reachability.MAX_JSON));
        index.manifests().forEach(m -> mine.add(m.digest()));
      } catch (MalformedContentException | StoreException e) {
        // an unreadable index: only its own digest can be in use
      }
    }
    for (Digest d : mine) {
      if (used.contains(d)) {
        return "image " + image.digest().shortHex() + " is being used by a running container";
      }
    }
    return null;
  }

  private static Set<String> namesOf(List<Descriptor> entries, Digest digest) {
    Set<String> names = new TreeSet<>();
    for (Descriptor d : entries) {
      String name = d.annotations().get(ImageStore.REF_NAME);
      if (name != null && d.digest().equals(digest)) {
        names.add(name);
      }
    }
    return names;
  }

  /** The repository part of a stored name: {@code app} of {@code app:1}, {@code host:5000/app} of itself. */
  static String repository(String name) {
    int at = name.indexOf('@');
    String base = at >= 0 ? name.substring(0, at) : name;
    int colon = base.lastIndexOf(':');
    return colon > base.lastIndexOf('/') ? base.substring(0, colon) : base;
  }
}
