package dev.jbuild.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Host processes by pid and start time, so a recycled pid is never mistaken for the process we started. */
final class Processes {
  private Processes() {}

  /** The start time of {@code pid} in clock ticks since boot (field 22 of /proc/PID/stat), or -1 when gone. */
  static long startTime(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      if (f[0].equals("Z") || f[0].equals("X")) {
        return -1;
      }
      return Long.parseLong(f[19]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Whether {@code pid} still runs and is the process that started at {@code start}. */
  static boolean alive(long pid, long start) {
    return pid > 0 && startTime(pid) == start;
  }
}
