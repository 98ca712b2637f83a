package dev.jbuild.dockerfile.internal.ir;

import java.util.Collection;
import java.util.Locale;

/** BuildKit's "did you mean" hints (util/suggest): the closest option within edit distance 2. */
final class Suggest {
  /** Options farther than this many edits away are not suggested (BuildKit and HCL use the same bound). */
  private static final int MAX_DISTANCE = 2;

  private Suggest() {
  }

  /**
   * The option closest to {@code value}, or null when none is within two edits or when
   * {@code value} is itself an option. Case-insensitive matching answers in the case of
   * {@code value} (all lower or all upper) as BuildKit does.
   */
  static String closest(String value, Collection<String> options, boolean caseSensitive) {
    String val = caseSensitive ? value : value.toLowerCase(Locale.ROOT);
    String match = null;
    int best = MAX_DISTANCE + 1;
    for (String option : options) {
      String opt = caseSensitive ? option : option.toLowerCase(Locale.ROOT);
      if (val.equals(opt)) {
        return null;
      }
      int d = distance(val, opt, best);
      if (d < best) {
        best = d;
        match = caseSensitive ? opt : matchCase(opt, value);
      }
    }
    return match;
  }

  /** {@code message} with BuildKit's " (did you mean X?)" appended when there is a close option. */
  static String withHint(String message, String value, Collection<String> options, boolean caseSensitive,
      String prefix) {
    String match = closest(value, options, caseSensitive);
    return match == null ? message : message + " (did you mean " + prefix + match + "?)";
  }

  private static String matchCase(String option, String original) {
    if (original.equals(original.toLowerCase(Locale.ROOT))) {
      return option.toLowerCase(Locale.ROOT);
    }
    if (original.equals(original.toUpperCase(Locale.ROOT))) {
      return option.toUpperCase(Locale.ROOT);
    }
    return option;
  }

  /** Levenshtein distance, giving up (returning {@code limit}) once it cannot be below it. */
  static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit) {
      return limit;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, cur[j]);
      }
      if (rowMin >= limit) {
        return limit;
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return Math.min(prev[b.length()], limit);
  }
}
