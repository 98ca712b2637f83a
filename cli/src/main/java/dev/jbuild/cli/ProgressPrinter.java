package dev.jbuild.cli;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.registry.RegistryEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Renders build events on stderr as BuildKit's plain progress does, one line each:
 *
 * <pre>
 * #2 [stage-0 2/3] RUN echo hi
 * #2 hi
 * #2 DONE 0.3s
 * #3 [stage-0 3/3] COPY a.txt /
 * #3 CACHED
 * #4 ERROR: Dockerfile:4: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3
 * </pre>
 *
 * <p>This is the default when stderr is not a terminal, and the base of the other displays ({@link TtyProgress},
 * {@link JsonProgress}). Events arrive from the building thread and from transfer threads, so every entry point
 * is synchronized.
 */
class ProgressPrinter implements BuildListener {
  final PrintWriter err;
  final LongSupplier clock;
  final long start;
  private final boolean quiet;
  /** Steps started and not yet finished, by index: a failure belongs to them. */
  final Map<Integer, BuildEvent.StepStarted> running = new LinkedHashMap<>();

  ProgressPrinter(PrintWriter err, boolean quiet) {
    this(err, quiet, System::nanoTime);
  }

  ProgressPrinter(PrintWriter err, boolean quiet, LongSupplier clock) {
    this.err = err;
    this.quiet = quiet;
    this.clock = clock;
    this.start = clock.getAsLong();
  }

  @Override
  public final synchronized void onEvent(BuildEvent event) {
    if (event instanceof BuildEvent.StepStarted s) {
      running.put(s.index(), s);
    } else if (event instanceof BuildEvent.StepFinished f) {
      running.remove(f.index());
    }
    render(event);
  }

  /** Shows one event; {@link #running} is already up to date. */
  void render(BuildEvent event) {
    if (quiet) {
      if (event instanceof BuildEvent.Log log && log.level() == BuildEvent.Level.WARN) {
        err.println("WARNING: " + log.message());
        err.flush();
      }
      return;
    }
    if (event instanceof BuildEvent.StepStarted s) {
      err.printf("#%d [%s %d/%d] %s%n", s.index(), s.stage(), s.index(), s.total(), s.instruction());
    } else if (event instanceof BuildEvent.StepFinished f) {
      if (f.cached()) {
        err.printf("#%d CACHED%n", f.index());
      } else {
        err.printf(Locale.ROOT, "#%d DONE %s%n", f.index(), seconds(f.took().toNanos()));
      }
    } else if (event instanceof BuildEvent.Output o) {
      err.printf("#%d %s%n", o.index(), o.line());
    } else if (event instanceof BuildEvent.CacheMiss m) {
      err.printf("#%d cache miss: %s%n", m.index(), m.explanation());
    } else if (event instanceof BuildEvent.Log log) {
      if (log.level() == BuildEvent.Level.DEBUG) {
        return;
      }
      err.println((log.level() == BuildEvent.Level.WARN ? "WARNING: " : "") + log.message());
    }
    err.flush();
  }

  /**
   * A registry event of a pull or push; true when this display showed it, false to let {@link TransferPrinter}
   * print its plain lines.
   */
  boolean onTransfer(RegistryEvent event) {
    return false;
  }

  /**
   * The build failed with {@code message}: the steps still running are marked failed. The message itself is
   * printed by the command's error handler unless {@link #reportsErrors()}.
   */
  synchronized void failed(String message) {
    if (quiet) {
      return;
    }
    for (BuildEvent.StepStarted s : stepsFailed()) {
      err.printf("#%d ERROR: %s%n", s.index(), firstLine(message));
    }
    err.flush();
  }

  /** The running steps, now failed and forgotten. */
  final List<BuildEvent.StepStarted> stepsFailed() {
    List<BuildEvent.StepStarted> failed = new ArrayList<>(running.values());
    running.clear();
    return failed;
  }

  /** Whether this display reports a failure itself, so the command must not print its own error line. */
  boolean reportsErrors() {
    return false;
  }

  synchronized void done(BuildResult result) {
    if (!quiet) {
      err.printf(Locale.ROOT, "built %s in %.2fs%n", result.manifest().digest(), (clock.getAsLong() - start) / 1e9);
      err.flush();
    }
  }

  /** Prints a line of information unless quiet. */
  void info(String message) {
    onEvent(new BuildEvent.Log(BuildEvent.Level.INFO, message));
  }

  /** Stops any background redrawing; the display is finished. */
  void close() {}

  /** BuildKit's duration format: tenths of a second. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
  }

  static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
