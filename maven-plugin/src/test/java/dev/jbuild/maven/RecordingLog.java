package dev.jbuild.maven;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.Log;

/** Maven's log interface, recording {@code LEVEL message} lines. */
final class RecordingLog implements Log {
  final List<String> lines = new ArrayList<>();

  List<String> at(String level) {
    return lines.stream().filter(l -> l.startsWith(level + " ")).map(l -> l.substring(level.length() + 1)).toList();
  }

  @Override public boolean isDebugEnabled() { return true; }
  @Override public void debug(CharSequence c) { lines.add("DEBUG " + c); }
  @Override public void debug(CharSequence c, Throwable t) { debug(c); }
  @Override public void debug(Throwable t) { debug(t.toString()); }
  @Override public boolean isInfoEnabled() { return true; }
  @Override public void info(CharSequence c) { lines.add("INFO " + c); }
  @Override public void info(CharSequence c, Throwable t) { info(c); }
  @Override public void info(Throwable t) { info(t.toString()); }
  @Override public boolean isWarnEnabled() { return true; }
  @Override public void warn(CharSequence c) { lines.add("WARN " + c); }
  @Override public void warn(CharSequence c, Throwable t) { warn(c); }
  @Override public void warn(Throwable t) { warn(t.toString()); }
  @Override public boolean isErrorEnabled() { return true; }
  @Override public void error(CharSequence c) { lines.add("ERROR " + c); }
  @Override public void error(CharSequence c, Throwable t) { error(c); }
  @Override public void error(Throwable t) { error(t.toString()); }
}
