package dev.jbuild.registry;

import dev.jbuild.oci.Digest;

/** Emits {@link RegistryEvent.BlobProgress} at most every {@value #STEP} bytes, and once at the end. */
final class ProgressReporter {
  static final long STEP = 1024 * 1024;

  private final RegistryTarget target;
  private final EventListener events;
  private final RegistryEvent.Direction direction;
  private final Digest digest;
  private final long total;
  private long transferred;
  private long lastReported;

  ProgressReporter(
      RegistryTarget target, EventListener events, RegistryEvent.Direction direction, Digest digest, long total) {
    this.target = target;
    this.events = events;
    this.direction = direction;
    this.digest = digest;
    this.total = total;
  }

  void advance(long bytes) {
    transferred += bytes;
    if (transferred - lastReported >= STEP || transferred == total) {
      report();
    }
  }

  /** Restarts the count: an upload that starts over from POST sends every byte again. */
  void reset(long value) {
    transferred = value;
    lastReported = value;
  }

  private void report() {
    lastReported = transferred;
    events.onEvent(new RegistryEvent.BlobProgress(
        target.registry(), target.repository(), direction, digest, transferred, total));
  }
}
