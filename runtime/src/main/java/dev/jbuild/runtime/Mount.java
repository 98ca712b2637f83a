package dev.jbuild.runtime;

import java.util.List;
import java.util.Objects;

/**
 * An extra mount in a container, as the OCI runtime spec writes it.
 *
 * @param destination the absolute path inside the container (runc resolves it inside the root, never outside)
 * @param type {@code bind}, {@code tmpfs}, ...
 * @param source the host path for a bind, the fs name otherwise
 * @param options mount options ({@code rbind}, {@code ro}, {@code size=...})
 */
public record Mount(String destination, String type, String source, List<String> options) {
  public Mount {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    options = List.copyOf(options);
    if (!destination.startsWith("/")) {
      throw new IllegalArgumentException("a mount destination must be absolute, not " + destination);
    }
  }

  /** A bind mount of host path {@code source}, read-only when {@code readOnly}. */
  public static Mount bind(String source, String destination, boolean readOnly) {
    return new Mount(destination, "bind", source,
        readOnly ? List.of("rbind", "ro", "nosuid", "nodev") : List.of("rbind", "rw", "nosuid", "nodev"));
  }

  /** A tmpfs; {@code size} in bytes, 0 for the kernel's default. */
  public static Mount tmpfs(String destination, long size) {
    return new Mount(destination, "tmpfs", "tmpfs", size > 0
        ? List.of("nosuid", "nodev", "mode=1777", "size=" + size) : List.of("nosuid", "nodev", "mode=1777"));
  }
}
