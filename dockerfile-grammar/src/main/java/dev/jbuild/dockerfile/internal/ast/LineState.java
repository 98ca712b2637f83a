package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.ir.Directive;
import dev.jbuild.dockerfile.ir.SourceSpan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * State carried across lines while {@link LogicalLines} reads a file: parser directives (which
 * change the escape character for the rest of the file), where the current instruction started,
 * and the heredoc bodies it still has to read.
 */
final class LineState {
  private static final Set<String> VALID_DIRECTIVES = Set.of("syntax", "escape", "check");

  private char escape = '\\';
  private boolean directivesDone;
  private final Set<String> seen = new HashSet<>();
  private final List<Directive> directives = new ArrayList<>();
  private final Deque<HeredocMarker> pending = new ArrayDeque<>();
  private int instructionStartLine = 1;

  char escape() {
    return escape;
  }

  List<Directive> directives() {
    return List.copyOf(directives);
  }

  int instructionStartLine() {
    return instructionStartLine;
  }

  /**
   * Whether a physical line whose last character other than space and tab is {@code line[last]}
   * continues on the next line: it is the escape, not itself escaped (BuildKit's
   * {@code ([^\\])\\[ \t]*$|^\\[ \t]*$}).
   */
  boolean continues(String line, int last) {
    return last >= 0 && line.charAt(last) == escape && (last == 0 || line.charAt(last - 1) != escape);
  }

  void nonDirectiveLine() {
    directivesDone = true;
  }

  /** @return true when the comment line is a parser directive */
  boolean commentLine(String text, int line) {
    if (directivesDone) {
      return false;
    }
    String body = stripNewline(GoText.trimLeft(text));
    // BuildKit's reDirectives, `#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` with Go RE2's
    // \s = [\t\n\f\r ], matched by hand: no pattern to compile on the first parse, and no
    // backtracking (quadratic on a long run of spaces, which a hostile first line can supply).
    int n = body.length();
    int i = Math.min(1, n);
    while (i < n && isRe2Space(body.charAt(i))) {
      i++;
    }
    int nameStart = i;
    if (i < n && isAsciiLetter(body.charAt(i))) {
      i++;
      while (i < n && (isAsciiLetter(body.charAt(i)) || (body.charAt(i) >= '0' && body.charAt(i) <= '9'))) {
        i++;
      }
    }
    String written = body.substring(nameStart, i);
    while (i < n && isRe2Space(body.charAt(i))) {
      i++;
    }
    boolean matches = n > 0 && body.charAt(0) == '#' && !written.isEmpty() && i < n && body.charAt(i) == '=';
    String value = matches ? directiveValue(body.substring(i + 1)) : null;
    if (value == null) {
      directivesDone = true;
      return false;
    }
    String name = written.toLowerCase(Locale.ROOT);
    if (!VALID_DIRECTIVES.contains(name)) {
      directivesDone = true;
      return false;
    }
    if (!seen.add(name)) {
      throw ParseFailure.near("only one " + name + " parser directive can be used", written).at(line, 1, line);
    }
    if (name.equals("escape")) {
      if (!value.equals("`") && !value.equals("\\")) {
        throw ParseFailure.near("invalid escape token '" + value + "' does not match ` or \\", value)
            .at(line, 1, line);
      }
      escape = value.charAt(0);
    }
    int leading = text.length() - GoText.trimLeft(text).length();
    directives.add(new Directive(name, value,
        new SourceSpan(line, leading + 1, line, text.length() - (text.endsWith("\n") ? 1 : 0))));
    return true;
  }

  /** What {@code \\s*(.+?)\\s*$} captures from {@code after}, or null when it does not match. */
  private static String directiveValue(String after) {
    int start = 0;
    while (start < after.length() && isRe2Space(after.charAt(start))) {
      start++;
    }
    int end = after.length();
    while (end > start && isRe2Space(after.charAt(end - 1))) {
      end--;
    }
    if (end > start) {
      return after.substring(start, end);
    }
    // Only spaces: the lazy group still needs one character, so it takes the last space.
    return after.isEmpty() ? null : after.substring(after.length() - 1);
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isRe2Space(char c) {
    return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
  }

  void instructionStart(int line) {
    directivesDone = true;
    instructionStartLine = line;
  }

  /** Queues the heredoc bodies that {@code logicalLine} opens; they are the next lines read. */
  void endLogicalLine(String logicalLine) {
    // A loop, not addAll: ArrayDeque.addAll goes through a lambda, costly on the first parse.
    for (HeredocMarker marker : HeredocScanner.markersQuietly(logicalLine, escape)) {
      pending.addLast(marker);
    }
  }

  /** @return true when the line terminates the current heredoc */
  boolean heredocLine(String text) {
    HeredocMarker current = pending.peekFirst();
    if (current == null) {
      return false;
    }
    String candidate = text;
    int end = candidate.length();
    while (end > 0 && (candidate.charAt(end - 1) == '\n' || candidate.charAt(end - 1) == '\r')) {
      end--;
    }
    candidate = candidate.substring(0, end);
    if (current.chomp()) {
      int i = 0;
      while (i < candidate.length() && candidate.charAt(i) == '\t') {
        i++;
      }
      candidate = candidate.substring(i);
    }
    if (candidate.equals(current.name())) {
      pending.removeFirst();
      return true;
    }
    return false;
  }

  /** The name of the heredoc being read, or null. */
  String pendingHeredoc() {
    HeredocMarker current = pending.peekFirst();
    return current == null ? null : current.name();
  }

  boolean heredocPending() {
    return !pending.isEmpty();
  }

  private static String stripNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }
}
