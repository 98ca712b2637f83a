package dev.jbuild.cli;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildResult;
import java.io.PrintWriter;
import java.util.Locale;

/** Renders build events as BuildKit's plain progress does: one line per step start and end, on stderr. */
final class ProgressPrinter implements BuildListener {
  private final PrintWriter err;
  private final boolean quiet;
  private final long start = System.nanoTime();

  ProgressPrinter(PrintWriter err, boolean quiet) {
    this.err = err;
    this.quiet = quiet;
  }

  @Override
  public void onEvent(BuildEvent event) {
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
      err.printf(Locale.ROOT, "#%d %s %.2fs%n", f.index(), f.cached() ? "CACHED" : "DONE", f.took().toNanos() / 1e9);
    } else if (event instanceof BuildEvent.Output o) {
      err.printf("#%d %s%n", o.index(), o.line());
    } else if (event instanceof BuildEvent.CacheMiss m) {
      err.printf("#%d cache miss: %s%n", m.index(), m.explanation());
    } else if (event instanceof BuildEvent.Log log) {
      err.println((log.level() == BuildEvent.Level.WARN ? "WARNING: " : "") + log.message());
    }
    err.flush();
  }

  void done(BuildResult result) {
    if (!quiet) {
      err.printf(Locale.ROOT, "built %s in %.2fs%n", result.manifest().digest(), (System.nanoTime() - start) / 1e9);
      err.flush();
    }
  }

  /** Prints a line of information unless quiet. */
  void info(String message) {
    onEvent(new BuildEvent.Log(BuildEvent.Level.INFO, message));
  }
}
