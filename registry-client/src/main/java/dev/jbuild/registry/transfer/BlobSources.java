package dev.jbuild.registry.transfer;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.InvalidDigestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where the store's blobs are known to live in registries: the repository a blob was pulled from or pushed to,
 * so that pushing it to another repository of the same registry can ask for a cross-repository mount instead of
 * uploading it (DESIGN 5). Kept in {@value #FILE} under the store root, one {@code <digest> <registry>
 * <repository>} line per blob and registry (the latest repository wins), newest last, at most {@value
 * #MAX_ENTRIES} lines, and replaced by rename. The file
 * is only a hint: a lost, damaged or concurrently overwritten file costs an upload, never correctness, because
 * the registry decides whether a mount succeeds and falls back to an upload session when it does not.
 *
 * <p>Thread-safe: parallel layer transfers add entries through one instance.
 */
final class BlobSources {
  static final String FILE = "registry-sources";
  static final int MAX_ENTRIES = 20_000;
  private static final long MAX_FILE_BYTES = 8L << 20;
  /** Registry host[:port] and repository path as references spell them; anything else in the file is ignored. */
  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.\\-]+(?::[0-9]{1,5})?|\\[[0-9a-fA-F:]+\\](?::[0-9]{1,5})?");
  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

  /** A repository of a registry. */
  record Source(String registry, String repository) {}

  /** One blob on one registry: pushing to a second registry must not forget the first. */
  private record Key(Digest digest, String registry) {}

  private final Path file;
  private final Path tmpDir;
  private Map<Key, Source> known;
  private final Map<Key, Source> added = new LinkedHashMap<>();

  /** @param root the store root; the temp file of each save goes to its {@code tmp/} (same filesystem) */
  BlobSources(Path root) {
    this.file = root.resolve(FILE);
    this.tmpDir = root.resolve("tmp");
  }

  /** The last recorded repository of {@code digest} on {@code registry}, if any. */
  synchronized Optional<Source> lookup(Digest digest, String registry) {
    Key key = new Key(digest, registry);
    Source s = added.get(key);
    if (s == null) {
      s = loaded().get(key);
    }
    return Optional.ofNullable(s);
  }

  /** Records that {@code repository} of {@code registry} has {@code digest}; kept in memory until {@link #save()}. */
  synchronized void add(Digest digest, String registry, String repository) {
    if (valid(registry, repository)) {
      Key key = new Key(digest, registry);
      added.remove(key); // re-inserted last: newest wins and survives the cap
      added.put(key, new Source(registry, repository));
    }
  }

  /**
   * Merges what was added since the last save into the file as it is now (another process may have written it
   * meanwhile) and replaces it by rename. Does nothing when nothing was added.
   *
   * @throws IOException when the file cannot be written; the store is unaffected
   */
  synchronized void save() throws IOException {
    if (added.isEmpty()) {
      return;
    }
    Map<Key, Source> merged = read();
    for (Map.Entry<Key, Source> e : added.entrySet()) {
      merged.remove(e.getKey());
      merged.put(e.getKey(), e.getValue());
    }
    StringBuilder text = new StringBuilder();
    int skip = Math.max(0, merged.size() - MAX_ENTRIES);
    for (Map.Entry<Key, Source> e : merged.entrySet()) {
      if (skip > 0) {
        skip--;
        continue;
      }
      text.append(e.getKey().digest()).append(' ').append(e.getValue().registry()).append(' ')
          .append(e.getValue().repository()).append('\n');
    }
    Path temp = tmpDir.resolve("sources-" + UUID.randomUUID());
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    known = merged;
    added.clear();
  }

  private Map<Key, Source> loaded() {
    if (known == null) {
      known = read();
    }
    return known;
  }

  /** The file's valid lines; a missing, oversized or unreadable file reads as empty (it is only a hint). */
  private Map<Key, Source> read() {
    Map<Key, Source> out = new LinkedHashMap<>();
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      return out;
    }
    if (bytes.length > MAX_FILE_BYTES) {
      return out;
    }
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      String[] f = line.split(" ");
      if (f.length != 3 || !valid(f[1], f[2])) {
        continue;
      }
      try {
        Key key = new Key(Digest.parse(f[0]), f[1]);
        out.remove(key);
        out.put(key, new Source(f[1], f[2]));
      } catch (InvalidDigestException e) {
        // a damaged line: skip it
      }
    }
    return out;
  }

  private static boolean valid(String registry, String repository) {
    return registry.length() <= 255 && repository.length() <= 255 && REGISTRY.matcher(registry).matches()
        && REPOSITORY.matcher(repository).matches();
  }
}
