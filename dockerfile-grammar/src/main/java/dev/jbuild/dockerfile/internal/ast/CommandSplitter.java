package dev.jbuild.dockerfile.internal.ast;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Splits a logical line into instruction word, leading flags and the rest (BuildKit's splitCommand). */
final class CommandSplitter {
  /** BuildKit's reWhitespace; deliberately narrower than {@link GoText#isSpace}. */
  static final Pattern WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");

  record Split(String keyword, List<String> flags, String rest) {
  }

  private CommandSplitter() {
  }

  static Split split(String line) {
    String[] parts = WHITESPACE.split(GoText.trim(line), 2);
    if (parts.length < 2) {
      return new Split(parts[0], List.of(), "");
    }
    List<String> flags = new ArrayList<>();
    String rest = extractFlags(parts[1], flags);
    return new Split(parts[0], flags, GoText.trim(rest));
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
