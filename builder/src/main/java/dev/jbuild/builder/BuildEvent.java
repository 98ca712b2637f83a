package dev.jbuild.builder;

import java.time.Duration;

/** What the builder reports while it works; a front end decides how to show it. */
public sealed interface BuildEvent {

  /** A step began. {@code index} counts from 1 over all steps that will run, of {@code total}. */
  record StepStarted(String stage, int index, int total, String instruction) implements BuildEvent {}

  /** A step finished; {@code cached} says it was taken from the build cache. */
  record StepFinished(String stage, int index, String instruction, boolean cached, Duration took)
      implements BuildEvent {}

  /** A line a RUN step wrote (stdout and stderr together), without its line break. */
  record Output(String stage, int index, String line) implements BuildEvent {}

  /** Why a step missed the cache: the nearest earlier entry and the fields that differ. */
  record CacheMiss(String stage, int index, String explanation) implements BuildEvent {}

  /** A line of information (pulls, naming, warnings). */
  record Log(Level level, String message) implements BuildEvent {}

  /** The severity of a {@link Log}. */
  enum Level {
    DEBUG,
    INFO,
    WARN
  }
}
