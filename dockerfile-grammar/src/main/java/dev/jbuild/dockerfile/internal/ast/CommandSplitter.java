package dev.jbuild.dockerfile.internal.ast;

import java.util.ArrayList;
import java.util.List;

/** Splits a logical line into instruction word, leading flags and the rest (BuildKit's splitCommand). */
final class CommandSplitter {

  record Split(String keyword, List<String> flags, String rest) {
  }

  private CommandSplitter() {
  }

  /**
   * {@code s} split around runs of BuildKit's reWhitespace {@code [\t\v\f\r ]+} (deliberately
   * narrower than {@link GoText#isSpace}), with Go's regexp.Split semantics: at most {@code limit}
   * fields when {@code limit > 0}, empty leading and trailing fields kept. Hand-written rather
   * than a regex: it runs on every instruction, and compiling a pattern slows the first parse.
   */
  static String[] splitWhitespace(String s, int limit) {
    List<String> fields = new ArrayList<>();
    int from = 0;
    int n = s.length();
    for (int i = 0; i < n && (limit <= 0 || fields.size() < limit - 1); i++) {
      if (isReWhitespace(s.charAt(i))) {
        fields.add(s.substring(from, i));
        while (i + 1 < n && isReWhitespace(s.charAt(i + 1))) {
          i++;
        }
        from = i + 1;
      }
    }
    fields.add(s.substring(from));
    return fields.toArray(new String[0]);
  }

  private static boolean isReWhitespace(char c) {
    return c == ' ' || c == '\t' || c == 0x0B || c == '\f' || c == '\r';
  }

  static Split split(String line) {
    // Indices rather than GoText.trim and splitWhitespace(.., 2): this runs on every instruction.
    int start = 0;
    int end = line.length();
    while (start < end && GoText.isSpace(line.charAt(start))) {
      start++;
    }
    while (end > start && GoText.isSpace(line.charAt(end - 1))) {
      end--;
    }
    int gap = start;
    while (gap < end && !isReWhitespace(line.charAt(gap))) {
      gap++;
    }
    if (gap == end) {
      return new Split(line.substring(start, end), List.of(), "");
    }
    int restStart = gap;
    while (restStart < end && isReWhitespace(line.charAt(restStart))) {
      restStart++;
    }
    List<String> flags = new ArrayList<>();
    String rest = extractFlags(line.substring(restStart, end), flags);
    return new Split(line.substring(start, gap), flags, GoText.trim(rest));
  }

  /**
   * Leading words starting with {@code --} are flags; quotes are removed and backslash
   * escapes processed inside them (always backslash, whatever the escape directive says,
   * as BuildKit does). A bare {@code --} ends the flags.
   */
  private static String extractFlags(String line, List<String> flags) {
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    int phase = inSpaces;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    int n = line.length();
    for (int pos = 0; pos <= n; pos++) {
      char ch = pos < n ? line.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == n) {
          break;
        }
        if (GoText.isSpace(ch)) {
          continue;
        }
        if (ch != '-' || pos + 1 == n || line.charAt(pos + 1) != '-') {
          return line.substring(pos);
        }
        phase = inWord;
      }
      if (pos == n) {
        if (!word.toString().equals("--") && (blankOk || word.length() > 0)) {
          flags.add(word.toString());
        }
        break;
      }
      if (phase == inWord) {
        if (GoText.isSpace(ch)) {
          phase = inSpaces;
          if (word.toString().equals("--")) {
            return line.substring(pos);
          }
          if (blankOk || word.length() > 0) {
            flags.add(word.toString());
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = inQuote;
          continue;
        }
        if (ch == '\\') {
          if (pos + 1 == n) {
            continue;
          }
          pos++;
          ch = line.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      // inQuote
      if (ch == quote) {
        phase = inWord;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == n) {
          phase = inWord;
          continue;
        }
        pos++;
        ch = line.charAt(pos);
      }
      word.append(ch);
    }
    return "";
  }
}
