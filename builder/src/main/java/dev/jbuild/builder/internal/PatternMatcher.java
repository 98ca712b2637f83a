package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Path patterns as docker matches {@code .dockerignore} lines and {@code COPY --exclude} (moby/patternmatcher):
 * {@code *} and {@code ?} stay within one path component, {@code **} spans any number of them (none included),
 * {@code [...]} is a character class, {@code \} escapes, and a leading {@code !} makes an exception. Later patterns
 * win over earlier ones, and a path also matches when one of its parent directories does ({@code build} excludes
 * {@code build/out/x}).
 *
 * <pre>{@code
 * PatternMatcher m = PatternMatcher.compile(List.of("**&#47;*.log", "!keep.log"), ".dockerignore");
 * m.matches("a/b/c.log"); // true
 * m.matches("keep.log");  // false
 * }</pre>
 */
final class PatternMatcher {
  /** One compiled line. */
  private record Rule(String text, Pattern regex, boolean exception) {}

  private final List<Rule> rules;
  private final boolean hasExceptions;

  private PatternMatcher(List<Rule> rules) {
    this.rules = rules;
    this.hasExceptions = rules.stream().anyMatch(Rule::exception);
  }

  /** A matcher that matches nothing. */
  static PatternMatcher none() {
    return new PatternMatcher(List.of());
  }

  /**
   * Compiles patterns already split into lines. Each is trimmed, {@code !} marks an exception, and the rest is
   * cleaned like a path ({@code ./a//b/} is {@code a/b}, a leading {@code /} is dropped).
   *
   * @throws BuildException naming {@code where} for a lone {@code !} or a malformed class
   */
  static PatternMatcher compile(List<String> patterns, String where) throws BuildException {
    List<Rule> rules = new ArrayList<>();
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty()) {
        continue;
      }
      boolean exception = p.startsWith("!");
      if (exception) {
        p = p.substring(1).strip();
        if (p.isEmpty()) {
          throw new BuildException(where + ": illegal exclusion pattern: \"!\"");
        }
      }
      p = cleanPattern(p);
      rules.add(new Rule(p, Pattern.compile(toRegex(p, where), Pattern.DOTALL), exception));
    }
    return new PatternMatcher(List.copyOf(rules));
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  boolean hasExceptions() {
    return hasExceptions;
  }

  /** Whether the cleaned relative path {@code path} (or one of its parent directories) is matched. */
  boolean matches(String path) {
    boolean matched = false;
    List<String> parents = parents(path);
    for (Rule rule : rules) {
      // Only a rule that could change the answer is evaluated, as moby does.
      if (rule.exception() != matched) {
        continue;
      }
      boolean hit = rule.regex().matcher(path).matches();
      for (int i = 0; !hit && i < parents.size(); i++) {
        hit = rule.regex().matcher(parents.get(i)).matches();
      }
      if (hit) {
        matched = !rule.exception();
      }
    }
    return matched;
  }

  /**
   * Whether a walk of the context leaves {@code path} out: a match, unless it is a directory an exception may
   * re-include something under (the directory is then kept for it), as docker decides it.
   */
  boolean leavesOut(String path, boolean directory) {
    return matches(path) && !(directory && mayIncludeBelow(path));
  }

  /**
   * Whether an exception could re-include something below the excluded directory {@code dir}, so that a walk must
   * still look inside it (docker then keeps the directory for the files it re-includes).
   */
  boolean mayIncludeBelow(String dir) {
    for (Rule rule : rules) {
      if (!rule.exception()) {
        continue;
      }
      String t = rule.text();
      if (t.startsWith("**") || t.startsWith(dir + "/") || prefixCouldMatch(t, dir)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the first components of pattern {@code t} could match the components of {@code dir}. */
  private static boolean prefixCouldMatch(String t, String dir) {
    String[] tp = t.split("/");
    String[] dp = dir.split("/");
    if (tp.length <= dp.length) {
      return false;
    }
    for (int i = 0; i < dp.length; i++) {
      if (tp[i].equals("**")) {
        return true;
      }
      try {
        if (!GoGlob.compile(tp[i], "").matches(dp[i])) {
          return false;
        }
      } catch (BuildException e) {
        return true;
      }
    }
    return true;
  }

  private static List<String> parents(String path) {
    List<String> out = new ArrayList<>();
    int slash = path.indexOf('/');
    while (slash > 0) {
      out.add(path.substring(0, slash));
      slash = path.indexOf('/', slash + 1);
    }
    return out;
  }

  /** Go's filepath.Clean for a relative pattern, then without the leading slash docker strips. */
  static String cleanPattern(String p) {
    boolean absolute = p.startsWith("/");
    Deque<String> parts = new ArrayDeque<>();
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
          parts.removeLast();
        } else if (!absolute) {
          parts.addLast("..");
        }
      } else {
        parts.addLast(part);
      }
    }
    String cleaned = String.join("/", parts);
    return cleaned.isEmpty() ? "." : cleaned;
  }

  private static String toRegex(String p, String where) throws BuildException {
    StringBuilder re = new StringBuilder();
    int n = p.length();
    for (int i = 0; i < n; i++) {
      char c = p.charAt(i);
      if (c == '*') {
        if (i + 1 < n && p.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < n && p.charAt(i + 1) == '/') {
            i++; // "**/" is "**": the slash belongs to it
          }
          re.append(i + 1 >= n ? ".*" : "(.*/)?");
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else if (c == '\\') {
        if (i + 1 < n) {
          re.append(Pattern.quote(String.valueOf(p.charAt(++i))));
        } else {
          throw new BuildException(where + ": syntax error in pattern \"" + p + "\": trailing backslash");
        }
      } else if (c == '[') {
        int end = p.indexOf(']', i + 2);
        if (end < 0) {
          throw new BuildException(where + ": syntax error in pattern \"" + p + "\": unclosed [");
        }
        String cls = p.substring(i + 1, end);
        StringBuilder set = new StringBuilder("[");
        int j = 0;
        if (cls.startsWith("!") || cls.startsWith("^")) {
          set.append('^');
          j = 1;
        }
        for (; j < cls.length(); j++) {
          char k = cls.charAt(j);
          if (k == '\\' && j + 1 < cls.length()) {
            k = cls.charAt(++j);
          }
          if (k == '-' && j > 0 && j + 1 < cls.length()) {
            set.append('-');
          } else {
            set.append(Character.isLetterOrDigit(k) ? String.valueOf(k) : "\\" + k);
          }
        }
        if (set.charAt(1) == '^') {
          set.append("/"); // a negated class never matches the separator
        }
        re.append(set).append(']');
        i = end;
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return re.toString();
  }
}
