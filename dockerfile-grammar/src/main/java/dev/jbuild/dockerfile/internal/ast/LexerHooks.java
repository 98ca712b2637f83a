package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.internal.antlr.DockerfileLexer;
import dev.jbuild.dockerfile.ir.Directive;
import dev.jbuild.dockerfile.ir.SourceSpan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cross-line lexer state: parser directives (which change the escape character for the
 * rest of the file), the text of the logical line being read, and the heredoc bodies it
 * still has to read. Kept out of the .g4 file so it is ordinary, testable Java.
 */
public final class LexerHooks {
  // BuildKit's reDirectives, `#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` with Go RE2's \s = [\t\n\f\r ].
  // The value part is matched by hand (directiveValue): Java's backtracking engine would take
  // quadratic time on a long run of spaces, which a hostile first line can supply.
  private static final Pattern DIRECTIVE =
      Pattern.compile("#[\\t\\n\\f\\r ]*+([a-zA-Z][a-zA-Z0-9]*+)[\\t\\n\\f\\r ]*+=(.*)", Pattern.DOTALL);
  private static final Set<String> VALID_DIRECTIVES = Set.of("syntax", "escape", "check");

  private char escape = '\\';
  private boolean directivesDone;
  private final Set<String> seen = new HashSet<>();
  private final List<Directive> directives = new ArrayList<>();
  private final StringBuilder logicalLine = new StringBuilder();
  private final Deque<HeredocMarker> pending = new ArrayDeque<>();
  private int instructionStartLine = 1;

  public char escape() {
    return escape;
  }

  public List<Directive> directives() {
    return List.copyOf(directives);
  }

  public int instructionStartLine() {
    return instructionStartLine;
  }

  /** The escape char just matched ends the physical line as a continuation. */
  public boolean isContinuation(int matched, int before, boolean checkBehind) {
    // BuildKit: an escape preceded by an escape is literal, not a continuation.
    return matched == escape && (!checkBehind || before != escape);
  }

  public void nonDirectiveLine() {
    directivesDone = true;
  }

  /** @return true when the comment line is a parser directive */
  public boolean commentLine(String text, int line) {
    if (directivesDone) {
      return false;
    }
    String body = stripNewline(GoText.trimLeft(text));
    Matcher m = DIRECTIVE.matcher(body);
    String value = m.matches() ? directiveValue(m.group(2)) : null;
    if (value == null) {
      directivesDone = true;
      return false;
    }
    String name = m.group(1).toLowerCase(Locale.ROOT);
    if (!VALID_DIRECTIVES.contains(name)) {
      directivesDone = true;
      return false;
    }
    if (!seen.add(name)) {
      throw ParseFailure.near("only one " + name + " parser directive can be used", m.group(1)).at(line, 1, line);
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

  private static boolean isRe2Space(char c) {
    return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
  }

  public void instructionStart(int line) {
    directivesDone = true;
    instructionStartLine = line;
    logicalLine.setLength(0);
  }

  public void tokenEmitted(int type, String text, int line) {
    if (type == DockerfileLexer.INSTRUCTION_WORD) {
      logicalLine.append(GoText.trimLeft(text));
    } else if (type == DockerfileLexer.TEXT || type == DockerfileLexer.ESC_CHAR) {
      logicalLine.append(text);
    }
  }

  /** @return true when heredoc bodies follow */
  public boolean endLogicalLine() {
    List<HeredocMarker> markers = HeredocScanner.markersQuietly(logicalLine.toString(), escape);
    logicalLine.setLength(0);
    pending.addAll(markers);
    return !pending.isEmpty();
  }

  /** @return true when the line terminates the current heredoc */
  public boolean heredocLine(String text) {
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
  public String pendingHeredoc() {
    HeredocMarker current = pending.peekFirst();
    return current == null ? null : current.name();
  }

  public boolean heredocPending() {
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
