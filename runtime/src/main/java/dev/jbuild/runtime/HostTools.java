package dev.jbuild.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Host binaries at fixed paths (never found through a PATH an image could influence) and running them. */
final class HostTools {
  private HostTools() {}

  /** The first of {@code candidates} that is executable, or an error telling how to install {@code what}. */
  static Path locate(String what, String... candidates) throws ContainerException {
    java.util.Optional<Path> found = find(candidates);
    if (found.isPresent()) {
      return found.get();
    }
    throw new ContainerException(what + " is missing (looked at " + String.join(", ", candidates)
        + "): run scripts/install-deps");
  }

  /** The first of {@code candidates} that is executable. */
  static java.util.Optional<Path> find(String... candidates) {
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return java.util.Optional.of(p);
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Runs {@code command}, failing with its output when it exits non-zero. The wait is not cut short by an interrupt
   * (the interrupt is kept for the caller): these are mounts, unmounts and deletes, and a cancelled build must
   * still unmount what it mounted.
   */
  static void check(List<String> command) throws ContainerException {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!waitUninterruptibly(p, TimeUnit.MINUTES.toNanos(5))) {
        p.destroyForcibly();
        throw new ContainerException(String.join(" ", command) + " did not finish in 5 minutes");
      }
      if (p.exitValue() != 0) {
        throw new ContainerException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
            + new String(out, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted while running " + command.get(0), e);
    } catch (IOException e) {
      throw new ContainerException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  private static boolean waitUninterruptibly(Process p, long nanos) {
    long deadline = System.nanoTime() + nanos;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
