package dev.jbuild.builder;

/** Receives {@link BuildEvent}s; called on the building thread, so it should return quickly. */
@FunctionalInterface
public interface BuildListener {
  BuildListener NONE = event -> {};

  void onEvent(BuildEvent event);
}
