package dev.jbuild.runtime;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import dev.jbuild.store.admin.ImageUsers;
import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The containers kept in a store: {@code STORE/containers/ID/} holds {@code container.json} (replaced only by
 * rename), the overlay's {@code upper} and {@code work} dirs, the bundle's {@code config.json}, the kept output
 * {@code log} and the monitor's {@code exit} file. Directories without {@code container.json} belong to RUN steps
 * in progress and are not containers.
 */
public final class ContainerStore {
  static final String RECORD = "container.json";
  static final String EXIT = "exit";
  static final String LOG = "log";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
  private static final Pattern VOLUME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,64}");

  private final Store store;
  private final Path root;

  private ContainerStore(Store store) {
    this.store = store;
    this.root = store.root().resolve("containers");
  }

  public static ContainerStore of(Store store) {
    return new ContainerStore(Objects.requireNonNull(store, "store"));
  }

  public Store store() {
    return store;
  }

  /** The container's directory. */
  public Path dir(String id) {
    if (!HEX.matcher(id).matches() || id.length() != 64) {
      throw new IllegalArgumentException("not a container id: " + id);
    }
    return root.resolve(id);
  }

  /** Whether {@code name} can name a volume: docker's rule for local volumes. */
  public static boolean isVolumeName(String name) {
    return VOLUME.matcher(name).matches();
  }

  /** Where named volume {@code name} keeps its data: {@code STORE/volumes/NAME/_data}. */
  public Path volume(String name) throws ContainerException {
    if (!isVolumeName(name)) {
      throw new ContainerException("invalid volume name \"" + name + "\": use letters, digits, '_', '.' and '-'");
    }
    return store.root().resolve("volumes").resolve(name).resolve("_data");
  }

  /**
   * Creates a container record with a fresh id; {@code name} null picks one. Fails when the name is taken.
   */
  public ContainerRecord create(String name, String image, dev.jbuild.oci.Descriptor imageDescriptor,
      RunOptions options)
      throws ContainerException {
    return create(newId(), name, image, imageDescriptor, options);
  }

  /** As above with a given {@code id} (from {@link #newId()}), e.g. when the options name the container's id. */
  public ContainerRecord create(String id, String name, String image, dev.jbuild.oci.Descriptor imageDescriptor,
      RunOptions options) throws ContainerException {
    dir(id); // validates it
    if (name != null && !NAME.matcher(name).matches()) {
      throw new ContainerException("invalid container name \"" + name + "\": use letters, digits, '_', '.' and '-'"
          + " (starting with a letter or digit)");
    }
    try (FileChannel lockFile = lockChannel(); FileLock lock = lockFile.lock()) {
      if (Files.exists(dir(id))) {
        throw new ContainerException("container id " + id + " is already in use");
      }
      String chosen = name != null ? name : "jbuild_" + id.substring(0, 12);
      for (ContainerRecord c : list()) {
        if (c.name().equals(chosen)) {
          throw new ContainerException("the container name \"" + chosen + "\" is already in use by container "
              + c.shortId() + ": remove it (jbuild rm " + chosen + ") or use another --name");
        }
      }
      ContainerRecord record = new ContainerRecord(id, chosen, image, imageDescriptor.digest().toString(),
          imageDescriptor.mediaType(), imageDescriptor.size(),
          Instant.now().toString(), options, ContainerRecord.State.created());
      Files.createDirectories(dir(id));
      save(record);
      return record;
    } catch (IOException e) {
      throw new ContainerException("cannot create a container in " + root + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code record} atomically (a temp file renamed over the old one). */
  public void save(ContainerRecord record) throws ContainerException {
    Path dir = dir(record.id());
    Path tmp = dir.resolve(RECORD + ".tmp");
    try {
      Files.write(tmp, ContainerRecordJson.write(record));
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      try {
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new ContainerException("cannot write " + dir.resolve(RECORD) + ": " + e.getMessage(), e);
    }
  }

  /** Every container, oldest first, with the state of the ones whose monitor is gone brought up to date. */
  public List<ContainerRecord> list() throws ContainerException {
    List<ContainerRecord> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String id = d.getFileName().toString();
        if (id.length() == 64 && HEX.matcher(id).matches()) {
          read(id).ifPresent(out::add);
        }
      }
    } catch (IOException e) {
      throw new ContainerException("cannot list " + root + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(ContainerRecord::created).thenComparing(ContainerRecord::id));
    return out;
  }

  /** The container with this id, or empty; a monitor that died is noticed here. */
  public Optional<ContainerRecord> read(String id) throws ContainerException {
    Path file = dir(id).resolve(RECORD);
    ContainerRecord r;
    try {
      r = ContainerRecordJson.read(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ContainerException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return Optional.of(reconcile(r));
  }

  /**
   * The container named by {@code ref}: an exact name, a full id, or a unique id prefix (docker's order).
   */
  public ContainerRecord find(String ref) throws ContainerException {
    List<ContainerRecord> all = list();
    for (ContainerRecord c : all) {
      if (c.name().equals(ref) || c.id().equals(ref)) {
        return c;
      }
    }
    List<ContainerRecord> byPrefix = new ArrayList<>();
    if (HEX.matcher(ref).matches()) {
      for (ContainerRecord c : all) {
        if (c.id().startsWith(ref)) {
          byPrefix.add(c);
        }
      }
    }
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw new ContainerException("container id prefix " + ref + " is ambiguous: it matches " + byPrefix.size()
          + " containers");
    }
    throw new ContainerException("no such container: " + ref + " (see jbuild ps -a)");
  }

  /** Deletes the container's directory and record; the caller has unmounted it and deleted runc's state. */
  public void delete(String id) throws ContainerException {
    Path dir = dir(id);
    try {
      Files.deleteIfExists(dir.resolve(RECORD)); // first, so a half-deleted dir is never listed
      LayerApplier.deleteTree(dir);
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new ContainerException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The images containers were made from: {@code rmi} keeps them unless forced. */
  public ImageUsers imageUsers() {
    return () -> {
      Set<Digest> used = new LinkedHashSet<>();
      try {
        for (ContainerRecord c : list()) {
          used.add(Digest.parse(c.imageDigest()));
        }
      } catch (ContainerException | dev.jbuild.oci.OciException | RuntimeException e) {
        throw new dev.jbuild.store.StoreException("cannot read the containers in " + root + ": " + e.getMessage(), e);
      }
      return used;
    };
  }

  private ContainerRecord reconcile(ContainerRecord r) throws ContainerException {
    ContainerRecord.State s = r.state();
    if (s.status() != ContainerRecord.Status.RUNNING || Processes.alive(s.monitorPid(), s.monitorStart())) {
      return r;
    }
    // The monitor is gone: a detached one left the exit code in a file; an attached jbuild killed hard did not.
    Path exit = dir(r.id()).resolve(EXIT);
    int code = -1;
    String when = Instant.now().toString();
    try {
      code = Integer.parseInt(Files.readString(exit).strip());
      when = Files.getLastModifiedTime(exit).toInstant().toString();
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    code = DockerRules.exitCode(code, dir(r.id()).resolve(ContainerRuntime.RUNC_LOG));
    ContainerRecord updated = r.withState(s.exited(code, when, DockerRules.startError(dir(r.id())
        .resolve(ContainerRuntime.RUNC_LOG))));
    return updated;
  }

  private FileChannel lockChannel() throws IOException {
    Files.createDirectories(root);
    return FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  /** A fresh container id: 64 random hex digits. */
  public static String newId() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
