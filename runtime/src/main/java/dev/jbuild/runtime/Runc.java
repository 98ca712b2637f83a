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
 * The host's OCI runtime, from a fixed path: runc, or for RUN steps crun where it is chosen (see {@link #forSteps});
 * crun takes the same command line for everything used here. Containers run in the foreground with pipes for stdio;
 * the JVM's other file descriptors are close-on-exec (ProcessBuilder closes every fd but 0, 1 and 2 in the child),
 * so none leaks into the container (X02).
 */
public final class Runc {
  /**
   * The environment variable that picks the runtime of RUN steps: {@code runc} (the default), {@code crun}, {@code
   * auto} (crun where it is installed and the cgroups allow it, else runc), or the absolute path of a runtime with
   * runc's command line.
   */
  public static final String RUNTIME_VARIABLE = "JBUILD_OCI_RUNTIME";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final String[] RUNC_PATHS = {"/usr/sbin/runc", "/usr/bin/runc"};
  private static final String[] CRUN_PATHS = {"/usr/bin/crun", "/usr/sbin/crun"};

  private final Path binary;
  private final Path stateDir;

  private Runc(Path binary, Path stateDir) {
    this.binary = binary;
    this.stateDir = stateDir;
  }

  /**
   * The runtime for RUN steps under {@code storeRoot} as {@code setting} (the value of {@link #RUNTIME_VARIABLE},
   * null when unset) asks. runc stays the default: every test of this project runs on it, while crun runs there only
   * where the host's cgroups allow it. Each runtime keeps its state in a directory of its own ({@code runc/}, {@code
   * crun/}), as their state formats differ.
   *
   * @param cgroups read only when the choice depends on it (auto, crun)
   */
  public static Runc forSteps(Path storeRoot, String setting, java.util.function.Supplier<CgroupLayout> cgroups)
      throws ContainerException {
    String s = setting == null ? "" : setting.strip();
    switch (s) {
      case "", "runc":
        return locate(storeRoot.resolve("runc"));
      case "crun": {
        Path crun = HostTools.locate("crun (asked for by " + RUNTIME_VARIABLE + "=crun)", CRUN_PATHS);
        CgroupLayout layout = cgroups.get();
        if (!layout.crunCanRun()) {
          throw new ContainerException(RUNTIME_VARIABLE + "=crun, but crun cannot run containers with this host's "
              + layout + " cgroups; unset " + RUNTIME_VARIABLE + " (or set it to auto) to use runc");
        }
        return new Runc(crun, storeRoot.resolve("crun").toAbsolutePath());
      }
      case "auto": {
        java.util.Optional<Path> crun = HostTools.find(CRUN_PATHS);
        if (crun.isPresent() && cgroups.get().crunCanRun()) {
          return new Runc(crun.get(), storeRoot.resolve("crun").toAbsolutePath());
        }
        return locate(storeRoot.resolve("runc"));
      }
      default: {
        String problem = problemWith(s);
        if (problem != null) {
          throw new ContainerException(problem);
        }
        Path p = Path.of(s);
        String kind = p.getFileName().toString().contains("crun") ? "crun" : "runc";
        return new Runc(p, storeRoot.resolve(kind).toAbsolutePath());
      }
    }
  }

  /**
   * What is wrong with {@code setting} as a value of {@link #RUNTIME_VARIABLE}, or null when {@link #forSteps} takes
   * it (unset, runc, crun, auto, or the absolute path of an executable), so a front end can refuse a typo before
   * anything is built.
   */
  public static String problemWith(String setting) {
    String s = setting == null ? "" : setting.strip();
    if (List.of("", "runc", "crun", "auto").contains(s)) {
      return null;
    }
    if (!s.startsWith("/")) {
      return RUNTIME_VARIABLE + "=" + s + " is not runc, crun, auto or the absolute path of an OCI runtime";
    }
    if (!Files.isRegularFile(Path.of(s)) || !Files.isExecutable(Path.of(s))) {
      return RUNTIME_VARIABLE + "=" + s + ": there is no executable there";
    }
    return null;
  }

  /**
   * The runc at {@code /usr/sbin/runc} or {@code /usr/bin/runc}, keeping its container state in {@code stateDir}
   * (private to jbuild, so it never mixes with other runc users).
   */
  public static Runc locate(Path stateDir) throws ContainerException {
    Objects.requireNonNull(stateDir, "stateDir");
    java.util.Optional<Path> runc = HostTools.find(RUNC_PATHS);
    if (runc.isPresent()) {
      return new Runc(runc.get(), stateDir.toAbsolutePath());
    }
    throw new ContainerException("runc is missing (looked at /usr/sbin/runc and /usr/bin/runc): run "
        + "scripts/install-deps");
  }

  /** The runtime binary used. */
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
