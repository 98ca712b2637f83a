package dev.jbuild.maven;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildResult;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a build in a child JVM inside a user namespace, for a Maven that does not run as root: the child is uid 0 of
 * the namespace, so RUN steps can mount overlays and start runc (DESIGN 3), and everything it writes on the host
 * belongs to the user. The request goes in on stdin; events come back as JSON lines ({@link EventCodec}).
 */
final class ForkedBuild {
  private static final int STDERR_TAIL = 40;

  private ForkedBuild() {}

  /**
   * The {@code unshare} prefix that works on this host, as the {@code jbuild} launcher picks it: with the user's
   * subordinate id range ({@code --map-auto}) when newuidmap can map it, else the user alone. Empty when user
   * namespaces are unavailable.
   */
  static Optional<List<String>> userNamespacePrefix() {
    List<String> full = List.of("unshare", "--user", "--map-auto", "--map-root-user", "--mount", "--");
    if (works(List.of("unshare", "--user", "--map-auto", "--map-root-user", "true"))) {
      return Optional.of(full);
    }
    if (works(List.of("unshare", "--user", "--map-root-user", "true"))) {
      return Optional.of(List.of("unshare", "--user", "--map-root-user", "--mount", "--"));
    }
    return Optional.empty();
  }

  /** The child's command line: {@code prefix java -cp CLASSPATH dev.jbuild.maven.ForkMain}. */
  static List<String> command(List<String> prefix, Path java, List<Path> classpath, String userHome) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(java.toString());
    // Root of the namespace would otherwise get root's home, and with it the wrong docker config.json.
    cmd.add("-Duser.home=" + userHome);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
    cmd.add(ForkMain.class.getName());
    return cmd;
  }

  /**
   * Starts {@code command}, sends the request, hands each event to {@code listener} and each stderr line to
   * {@code stderr}, and returns the result the child reported.
   *
   * @throws BuildException with the child's own message when the build failed, or with its stderr when it died
   */
  static BuildResult run(List<String> command, BuildRequest request, BuildListener listener, Consumer<String> stderr)
      throws BuildException {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new BuildException("cannot start the forked build (" + command.get(0) + "): " + e.getMessage(), e);
    }
    Deque<String> tail = new ArrayDeque<>();
    Thread errors = new Thread(() -> pumpStderr(process, stderr, tail), "jbuild-fork-stderr");
    errors.setDaemon(true);
    errors.start();
    BuildResult result = null;
    String failure = null;
    try {
      try (OutputStream in = process.getOutputStream()) {
        in.write(RequestCodec.write(request));
      }
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.isBlank()) {
            continue;
          }
          EventCodec.Line decoded = EventCodec.decode(line);
          if (decoded instanceof EventCodec.EventLine e) {
            listener.onEvent(e.event());
          } else if (decoded instanceof EventCodec.ResultLine r) {
            result = r.result();
          } else if (decoded instanceof EventCodec.ErrorLine err) {
            failure = err.message();
          }
        }
      }
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        process.destroyForcibly();
      }
      errors.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BuildException("interrupted while waiting for the forked build", e);
    } catch (IOException e) {
      process.destroyForcibly();
      throw new BuildException("the forked build broke its protocol: " + e.getMessage(), e);
    }
    if (failure != null) {
      throw new BuildException(failure);
    }
    if (result == null || process.exitValue() != 0) {
      String why;
      synchronized (tail) {
        why = String.join("\n", tail);
      }
      throw new BuildException("the forked build (" + String.join(" ", command.subList(0, Math.min(6, command.size())))
          + " ...) exited with status " + process.exitValue() + " and no result" + (why.isEmpty() ? "" : ":\n" + why));
    }
    return result;
  }

  private static void pumpStderr(Process process, Consumer<String> stderr, Deque<String> tail) {
    try (BufferedReader err = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = err.readLine()) != null; ) {
        stderr.accept(line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > STDERR_TAIL) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      stderr.accept("cannot read the forked build's stderr: " + e.getMessage());
    }
  }

  private static boolean works(List<String> probe) {
    try {
      Process p = new ProcessBuilder(probe).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
