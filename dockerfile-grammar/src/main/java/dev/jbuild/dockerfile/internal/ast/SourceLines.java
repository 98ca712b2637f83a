package dev.jbuild.dockerfile.internal.ast;

import java.util.Arrays;

/**
 * Line index of a normalised source, built only when an error has to be shown: turns a
 * {@link ParseFailure} into the exact line, column and width to point at.
 */
public final class SourceLines {
  private final String text;
  private final int[] starts;
  private final int count;

  public SourceLines(String text) {
    this.text = text;
    int[] s = new int[16];
    int n = 0;
    s[n++] = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      if (n == s.length) {
        s = Arrays.copyOf(s, n * 2);
      }
      s[n++] = i + 1;
    }
    // A final line end does not open a line of its own.
    if (n > 1 && s[n - 1] == text.length()) {
      n--;
    }
    this.starts = s;
    this.count = text.isEmpty() ? 0 : n;
  }

  public int count() {
    return count;
  }

  /** The text of 1-based {@code line} without its line end, or null when there is no such line. */
  public String line(int line) {
    if (line < 1 || line > count) {
      return null;
    }
    int start = starts[line - 1];
    int end = line < count ? starts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\n') {
      end--;
    }
    return text.substring(start, end);
  }

  /** Where to point for {@code failure}: {line, column, width}, all 1-based. */
  public int[] locate(ParseFailure failure) {
    int line = Math.max(1, failure.line());
    int column = Math.max(1, failure.column());
    String needle = failure.needle();
    if (needle != null) {
      for (int l = line; l <= Math.min(failure.endLine(), count); l++) {
        String lineText = line(l);
        int at = findWord(lineText, needle, l == line ? column - 1 : 0);
        if (at >= 0) {
          return new int[] {l, at + 1, needle.length()};
        }
      }
    }
    return new int[] {line, column, wordLength(line(line), column - 1)};
  }

  /** First occurrence of {@code needle} not glued to other word characters. */
  private static int findWord(String s, String needle, int from) {
    for (int i = s.indexOf(needle, Math.max(0, from)); i >= 0; i = s.indexOf(needle, i + 1)) {
      boolean startOk = i == 0 || !isWordChar(s.charAt(i - 1)) || !isWordChar(needle.charAt(0));
      int end = i + needle.length();
      boolean endOk = end == s.length() || !isWordChar(s.charAt(end))
          || !isWordChar(needle.charAt(needle.length() - 1));
      if (startOk && endOk) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  private static int wordLength(String s, int from) {
    if (s == null || from >= s.length() || GoText.isSpace(s.charAt(from))) {
      return 1;
    }
    int end = from;
    while (end < s.length() && !GoText.isSpace(s.charAt(end))) {
      end++;
    }
    return end - from;
  }
}
