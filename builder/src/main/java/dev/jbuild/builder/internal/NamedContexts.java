package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --build-context NAME=VALUE}, BuildKit's named contexts: a name that {@code FROM}, {@code COPY --from} and
 * {@code RUN --mount from=} resolve before any stage or image of that name. {@code docker-image://REF} stands for
 * the image REF (pinning {@code FROM alpine} to a digest, say); a directory, a git repository or a tarball over HTTP(S)
 * (fetched when first used) is a second context of files to copy from and bind-mount. Names are compared as
 * BuildKit compares them: as image references in their familiar form without {@code :latest} ({@code alpine},
 * {@code alpine:latest} and {@code docker.io/library/alpine} are one name), and names that are not references
 * (stage names such as {@code Builder}) whatever their case.
 */
final class NamedContexts {
  static final String IMAGE_SCHEME = "docker-image://";
  static final NamedContexts NONE = new NamedContexts(Map.of(), Map.of(), Map.of());

  private final Map<String, String> images;
  private final Map<String, Path> directories;
  private final Map<String, String> remotes; // a git repository or a tarball over HTTP(S), fetched when first used

  private NamedContexts(Map<String, String> images, Map<String, Path> directories, Map<String, String> remotes) {
    this.images = images;
    this.directories = directories;
    this.remotes = remotes;
  }

  /** Checks every value now, so a typo fails the build before any step runs, naming the context. */
  static NamedContexts parse(Map<String, String> raw) throws BuildException {
    Map<String, String> images = new HashMap<>();
    Map<String, Path> directories = new HashMap<>();
    Map<String, String> remotes = new HashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String name = e.getKey();
      String value = e.getValue();
      String what = "--build-context " + name + "=" + UrlFetcher.redact(value); // a URL may carry credentials
      if (name.isBlank() || name.contains("=")) {
        throw new BuildException(what + ": the name is empty or holds '='");
      }
      String key = key(name);
      if (value.startsWith(IMAGE_SCHEME)) {
        String ref = value.substring(IMAGE_SCHEME.length());
        try {
          ImageReference.parse(ref);
        } catch (InvalidReferenceException ex) {
          throw new BuildException(what + ": " + ex.getMessage(), ex);
        }
        images.put(key, ref);
      } else if (GitFetcher.isGitUrl(value)) {
        String ref = GitFetcher.parse(value).ref();
        if (ref != null && ref.startsWith("-")) {
          throw new BuildException(what + ": invalid git ref \"" + ref + "\"");
        }
        remotes.put(key, value);
      } else if (UrlFetcher.isUrl(value)) {
        try {
          if (java.net.URI.create(value).getHost() == null) {
            throw new BuildException(what + ": the URL has no host (a '@' or ':' in a user name or password must be "
                + "percent-encoded)");
          }
        } catch (IllegalArgumentException ex) {
          throw new BuildException(what + ": invalid URL", ex);
        }
        remotes.put(key, value);
      } else if (value.contains("://")) {
        throw new BuildException(what + ": named contexts are docker-image://REF, a git repository, a tarball over "
            + "HTTP(S) or a local directory");
      } else {
        Path dir = Path.of(value);
        if (!dir.isAbsolute() || !Files.isDirectory(dir)) {
          throw new BuildException(what + ": not a directory" + (dir.isAbsolute() ? "" : " (give an absolute path)"));
        }
        try {
          directories.put(key, dir.toRealPath());
        } catch (IOException ex) {
          throw new BuildException(what + ": " + ex.getMessage(), ex);
        }
      }
    }
    return images.isEmpty() && directories.isEmpty() && remotes.isEmpty() ? NONE
        : new NamedContexts(Map.copyOf(images), Map.copyOf(directories), Map.copyOf(remotes));
  }

  /**
   * The name a context is known by: an image reference's familiar form without {@code :latest}, as BuildKit's
   * dockerui normalises it, else (a name that is no reference) the name in lower case.
   */
  static String key(String name) {
    try {
      String familiar = ImageReference.parse(name).familiar();
      return familiar.endsWith(":latest") ? familiar.substring(0, familiar.length() - ":latest".length()) : familiar;
    } catch (InvalidReferenceException | RuntimeException e) {
      return name.toLowerCase(Locale.ROOT);
    }
  }

  /** Whether {@code name} is a named context, which then hides a stage of that name. */
  boolean has(String name) {
    String key = key(name);
    return images.containsKey(key) || directories.containsKey(key) || remotes.containsKey(key);
  }

  /** The image {@code name} stands for: its named context's, else {@code name} itself. */
  String image(String name) {
    return images.getOrDefault(key(name), name);
  }

  /**
   * Refuses {@code name} where an image is needed (FROM, a cache mount's from=) when it is a context of files.
   *
   * @param where the location prefix of the error ({@code Dockerfile:3})
   */
  void requireNotDirectory(String name, String where) throws BuildException {
    if (directory(name).isPresent() || remote(name).isPresent()) {
      throw new BuildException(where + ": the build context \"" + name + "\" is a directory, which COPY --from, "
          + "ADD --from and RUN --mount=type=bind,from= can read, but not FROM or a cache mount");
    }
  }

  /** The URL of the named context {@code name} when it is a git repository or a tarball, to fetch when used. */
  Optional<String> remote(String name) {
    return Optional.ofNullable(remotes.get(key(name)));
  }

  /** The directory of the named context {@code name}, if it is one. */
  Optional<Path> directory(String name) {
    return Optional.ofNullable(directories.get(key(name)));
  }
}
