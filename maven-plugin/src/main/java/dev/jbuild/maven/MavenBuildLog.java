package dev.jbuild.maven;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildListener;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.maven.plugin.logging.Log;

/**
 * Build events on Maven's log at info: one line per step ({@code #3 [build 3/7] COPY app.jar /app/ CACHED 0.00s}),
 * and for a step that prints, a header line before its output lines and the outcome after them. Cache-miss
 * explanations go to debug ({@code mvn -X}), warnings to warn.
 */
final class MavenBuildLog implements BuildListener {
  private final Log log;
  private final Map<Integer, BuildEvent.StepStarted> started = new ConcurrentHashMap<>();
  private final Map<Integer, Boolean> printed = new ConcurrentHashMap<>();

  MavenBuildLog(Log log) {
    this.log = log;
  }

  @Override
  public synchronized void onEvent(BuildEvent event) {
    if (event instanceof BuildEvent.StepStarted s) {
      started.put(s.index(), s);
      log.debug(header(s.index(), s.stage(), s.instruction()) + " started");
    } else if (event instanceof BuildEvent.Output o) {
      if (printed.putIfAbsent(o.index(), Boolean.TRUE) == null) {
        BuildEvent.StepStarted s = started.get(o.index());
        log.info(header(o.index(), o.stage(), s != null ? s.instruction() : ""));
      }
      log.info("#" + o.index() + " | " + o.line());
    } else if (event instanceof BuildEvent.StepFinished f) {
      String outcome = String.format(Locale.ROOT, "%s %.2fs", f.cached() ? "CACHED" : "DONE",
          f.took().toNanos() / 1e9);
      log.info(printed.containsKey(f.index()) ? "#" + f.index() + " " + outcome
          : header(f.index(), f.stage(), f.instruction()) + " " + outcome);
    } else if (event instanceof BuildEvent.CacheMiss m) {
      log.debug("#" + m.index() + " cache miss: " + m.explanation());
    } else if (event instanceof BuildEvent.Log l) {
      if (l.level() == BuildEvent.Level.WARN) {
        log.warn(l.message());
      } else if (l.level() == BuildEvent.Level.INFO) {
        log.info(l.message());
      } else {
        log.debug(l.message());
      }
    }
  }

  private String header(int index, String stage, String instruction) {
    BuildEvent.StepStarted s = started.get(index);
    String position = s != null ? " " + s.index() + "/" + s.total() : "";
    return "#" + index + " [" + stage + position + "] " + instruction;
  }
}
