package dev.jbuild.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;

/** Sizes and ages as docker prints them: {@code 45.2MB} (decimal units, three digits) and {@code 3 hours ago}. */
final class Sizes {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private Sizes() {}

  static String human(long bytes) {
    double size = bytes;
    int unit = 0;
    while (size >= 1000 && unit < UNITS.length - 1) {
      size /= 1000;
      unit++;
    }
    String digits = new BigDecimal(size).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    return digits + UNITS[unit];
  }

  /** {@code part} as a whole percentage of {@code whole}, 0 when there is nothing. */
  static long percent(long part, long whole) {
    return whole == 0 ? 0 : Math.round(100.0 * part / whole);
  }

  /** How long ago {@code then} was, in docker's words ({@code About an hour ago}). */
  static String ago(Instant then, Instant now) {
    if (then == null) {
      return "N/A";
    }
    Duration d = Duration.between(then, now);
    if (d.isNegative()) {
      return "Less than a second from now";
    }
    long seconds = d.getSeconds();
    long minutes = Math.round(seconds / 60.0);
    long hours = Math.round(seconds / 3600.0);
    String text;
    if (seconds < 1) {
      text = "Less than a second";
    } else if (seconds == 1) {
      text = "1 second";
    } else if (seconds < 60) {
      text = seconds + " seconds";
    } else if (minutes == 1) {
      text = "About a minute";
    } else if (minutes < 60) {
      text = minutes + " minutes";
    } else if (hours == 1) {
      text = "About an hour";
    } else if (hours < 48) {
      text = hours + " hours";
    } else if (hours < 24 * 7 * 2) {
      text = hours / 24 + " days";
    } else if (hours < 24 * 30 * 2) {
      text = hours / 24 / 7 + " weeks";
    } else if (hours < 24 * 365 * 2) {
      text = hours / 24 / 30 + " months";
    } else {
      text = hours / 24 / 365 + " years";
    }
    return text + " ago";
  }
}
