package dev.jbuild.registry;

/**
 * Receives {@link RegistryEvent}s. The library never prints; the CLI renders these. Called on the thread
 * doing the transfer, so implementations must be quick and thread-safe.
 */
@FunctionalInterface
public interface EventListener {
  /** Discards every event. */
  EventListener NONE = event -> {};

  void onEvent(RegistryEvent event);
}
