package dev.jbuild.runtime;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Linux signal names and numbers, as {@code STOPSIGNAL}, {@code jbuild kill -s} and {@code --stop-signal} take them:
 * {@code SIGTERM}, {@code TERM}, {@code 15}, {@code SIGRTMIN+3}. Parsed here so a typo fails before anything runs.
 */
public final class Signals {
  /** The generic Linux numbering (x86, arm64, riscv); SIGRTMIN is 34 as glibc reports it. */
  private static final Map<String, Integer> NUMBERS = new LinkedHashMap<>();
  private static final int RTMIN = 34;
  private static final int RTMAX = 64;

  static {
    String[] names = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
      "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
      "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    for (int i = 0; i < names.length; i++) {
      NUMBERS.put(names[i], i + 1);
    }
    NUMBERS.put("IOT", 6);
    NUMBERS.put("POLL", 29);
  }

  private Signals() {}

  /**
   * The number of {@code signal}.
   *
   * @throws IllegalArgumentException naming the signal when it is not one
   */
  public static int number(String signal) {
    String s = signal.strip().toUpperCase(Locale.ROOT);
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 2) {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= RTMAX) {
        return n;
      }
    }
    if (s.startsWith("SIG")) {
      s = s.substring(3);
    }
    Integer known = NUMBERS.get(s);
    if (known != null) {
      return known;
    }
    try {
      if (s.startsWith("RTMIN")) {
        int n = RTMIN + (s.length() == 5 ? 0 : Integer.parseInt(s.substring(5)));
        if (n >= RTMIN && n <= RTMAX) {
          return n;
        }
      } else if (s.startsWith("RTMAX")) {
        int n = RTMAX + (s.length() == 5 ? 0 : Integer.parseInt(s.substring(5)));
        if (n >= RTMIN && n <= RTMAX) {
          return n;
        }
      }
    } catch (NumberFormatException e) {
      // falls through to the error
    }
    throw new IllegalArgumentException("invalid signal: " + signal);
  }
}
