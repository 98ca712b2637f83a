package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import java.time.Duration;

/** What a {@link RegistryClient} reports while it works. No event ever carries a credential or token. */
public sealed interface RegistryEvent {
  /** The registry as the user named it. */
  String registry();

  String repository();

  /** Bytes of one blob moved so far; {@code total} is the descriptor size. Sent throttled and at the end. */
  record BlobProgress(String registry, String repository, Direction direction, Digest digest, long transferred, long total)
      implements RegistryEvent {}

  /** A blob needed no upload: it already existed, or a cross-repository mount succeeded. */
  record BlobSkipped(String registry, String repository, Digest digest, String reason) implements RegistryEvent {}

  /** A request failed in a way worth retrying; the client waits {@code delay} before attempt {@code attempt}. */
  record Retrying(String registry, String repository, String action, int attempt, Duration delay, String reason)
      implements RegistryEvent {}

  /** Which way bytes flow. */
  enum Direction {
    PULL,
    PUSH
  }
}
