package dev.jbuild.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The host's runc, from a fixed path. Containers run in the foreground with pipes for stdio; the JVM's other file
 * descriptors are close-on-exec (ProcessBuilder closes every fd but 0, 1 and 2 in the child), so none leaks into
 * the container (X02).
 */
public final class Runc {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private final Path binary;
  private final Path stateDir;

  private Runc(Path binary, Path stateDir) {
    this.binary = binary;
    this.stateDir = stateDir;
  }

  /**
   * The runc at {@code /usr/sbin/runc} or {@code /usr/bin/runc}, keeping its container state in {@code stateDir}
   * (private to jbuild, so it never mixes with other runc users).
   */
  public static Runc locate(Path stateDir) throws ContainerException {
    Objects.requireNonNull(stateDir, "stateDir");
    for (String c : List.of("/usr/sbin/runc", "/usr/bin/runc")) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return new Runc(p, stateDir.toAbsolutePath());
      }
    }
    throw new ContainerException("runc is missing (looked at /usr/sbin/runc and /usr/bin/runc): run "
        + "scripts/install-deps");
  }

  /** The runc binary used. */
  public Path binary() {
    return binary;
  }

  /**
   * Runs the bundle in {@code bundle} as container {@code id} and returns the container's exit code (128+N when
   * killed by signal N). {@code stdin} may be null for an empty input. The container is always deleted afterwards.
   */
  public int run(Path bundle, String id, InputStream stdin, OutputStream stdout, OutputStream stderr)
      throws ContainerException {
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a usable container id: " + id);
    }
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new ContainerException("cannot create runc's state dir " + stateDir + ": " + e.getMessage(), e);
    }
    List<String> cmd = List.of(binary.toString(), "--root", stateDir.toString(), "run", "--bundle",
        bundle.toAbsolutePath().toString(), id);
    Process p;
    try {
      p = new ProcessBuilder(new ArrayList<>(cmd)).directory(bundle.toFile()).start();
    } catch (IOException e) {
      throw new ContainerException("cannot start " + binary + ": " + e.getMessage(), e);
    }
    try {
      Thread in = pump("stdin", stdin == null ? InputStream.nullInputStream() : stdin, p.getOutputStream(), true);
      Thread out = pump("stdout", p.getInputStream(), stdout, false);
      Thread err = pump("stderr", p.getErrorStream(), stderr, false);
      int code = p.waitFor();
      out.join();
      err.join();
      in.interrupt(); // an endless stdin must not keep us here once the container is gone
      return code;
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted while container " + id + " was running", e);
    } finally {
      // runc run removes the container when its process exits; only a runc that died first (killed, or interrupted
      // above) leaves its state behind, and only then is a second runc worth its start-up.
      if (Files.exists(stateDir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
        delete(id);
      }
    }
  }

  /** Forcibly deletes container {@code id} (killing what is left of it); a missing container is not an error. */
  public void delete(String id) throws ContainerException {
    HostTools.check(List.of(binary.toString(), "--root", stateDir.toString(), "delete", "-f", id));
  }

  private static Thread pump(String name, InputStream from, OutputStream to, boolean closeTo) {
    Thread t = new Thread(() -> {
      try (InputStream in = from) {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
          to.write(buf, 0, n);
          to.flush();
        }
      } catch (InterruptedIOException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // the other end went away (the container closed its stdin, or exited): nothing more to copy
      } finally {
        if (closeTo) {
          try {
            to.close();
          } catch (IOException e) {
            // already gone
          }
        }
      }
    }, "runc-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
