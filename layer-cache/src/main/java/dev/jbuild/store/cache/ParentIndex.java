package dev.jbuild.store.cache;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.InvalidDigestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The secondary index {@code parents/<parent>/<key>} of empty marker files: which keys were built after a parent,
 * so a miss is compared only with its siblings instead of the whole cache. Markers may outlive their entries (an
 * eviction racing a put); readers drop those.
 */
final class ParentIndex {
  private final Path dir;

  ParentIndex(Path dir) {
    this.dir = dir;
  }

  /** The marker of {@code key}: the parent's hex when it is a sha256, else the sha256 of its rendering. */
  Optional<Path> marker(List<CacheKey.Field> fields, Digest key) {
    for (CacheKey.Field f : fields) {
      if (f.name().equals(CacheKey.PARENT)) {
        String p = null;
        if (f.kind() == CacheKey.Kind.DIGEST) {
          try {
            Digest d = Digest.parse(f.value());
            p = Digest.SHA256.equals(d.algorithm()) ? d.hex() : null;
          } catch (InvalidDigestException e) {
            // a damaged entry's field; hashed below like any other value
          }
        }
        if (p == null) {
          p = Digest.sha256Of((f.kind() + ":" + f.value()).getBytes(StandardCharsets.UTF_8)).hex();
        }
        return Optional.of(dir.resolve(p).resolve(key.hex()));
      }
    }
    return Optional.empty();
  }

  void add(List<CacheKey.Field> fields, Digest key) throws IOException {
    Optional<Path> marker = marker(fields, key);
    if (marker.isPresent()) {
      Files.createDirectories(marker.get().getParent());
      try {
        Files.createFile(marker.get());
      } catch (FileAlreadyExistsException e) {
        // recorded by an earlier put
      }
    }
  }

  void remove(List<CacheKey.Field> fields, Digest key) throws IOException {
    Optional<Path> marker = marker(fields, key);
    if (marker.isPresent()) {
      Files.deleteIfExists(marker.get());
    }
  }

  private record Marker(Path path, Instant time) {}

  /** The markers next to {@code marker} (itself included if present), newest first, at most {@code max}. */
  List<Path> newestSiblings(Path marker, int max) throws IOException {
    Path parentDir = marker.getParent();
    List<Marker> markers = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parentDir)) {
      for (Path m : ds) {
        try {
          markers.add(new Marker(m, Files.getLastModifiedTime(m, LinkOption.NOFOLLOW_LINKS).toInstant()));
        } catch (NoSuchFileException e) {
          // evicted meanwhile
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    markers.sort(Comparator.comparing(Marker::time).reversed().thenComparing(m -> m.path().getFileName().toString()));
    return markers.stream().limit(max).map(Marker::path).toList();
  }

  /** {@code HEX<suffix>} back to a sha256 digest; empty for any other name (never used as a path then). */
  static Optional<Digest> digestOfName(String name, String suffix) {
    if (!name.endsWith(suffix)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(Digest.SHA256 + ":" + name.substring(0, name.length() - suffix.length())));
    } catch (InvalidDigestException e) {
      return Optional.empty();
    }
  }
}
