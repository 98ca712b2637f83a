package dev.jbuild.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about this process that decide how a build runs. */
final class Processes {
  private Processes() {}

  /** Uid 0 (the host's root, or root of a user namespace Maven was started in): RUN steps can run in-process. */
  static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
