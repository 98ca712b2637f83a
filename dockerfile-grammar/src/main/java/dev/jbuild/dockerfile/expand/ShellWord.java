package dev.jbuild.dockerfile.expand;

import dev.jbuild.dockerfile.internal.ast.GoText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One pass of {@link ShellLex} over one input; mirrors the shellWord scanner of lex.go. */
final class ShellWord {
  private static final int EOF = -1;
  /**
   * Deepest {@code ${a:-${b:-...}}} nesting accepted. The scanner recurses once per level, so
   * without a cap hostile input could overflow the stack; real Dockerfiles nest a few levels.
   */
  static final int MAX_NESTING = 100;

  static final class LexError extends Exception {
    private static final long serialVersionUID = 1L;

    LexError(String message) {
      super(message, null, false, false);
    }
  }

  record Result(String word, List<String> words) {
  }

  private final String input;
  private final Map<String, String> env;
  private final char escape;
  private final boolean rawQuotes;
  private final boolean skipUnsetEnv;
  private boolean rawEscapes;
  private int pos;
  private int nesting;

  ShellWord(String input, Map<String, String> env, char escape, boolean rawQuotes, boolean rawEscapes,
        boolean skipUnsetEnv) {
    this.input = input;
    this.env = env;
    this.escape = escape;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipUnsetEnv = skipUnsetEnv;
  }

  Result process() throws LexError {
    return processStopOn(EOF, rawEscapes);
  }

  private int peek() {
    return pos < input.length() ? input.charAt(pos) : EOF;
  }

  private int next() {
    return pos < input.length() ? input.charAt(pos++) : EOF;
  }

  /** Collects whitespace-separated words next to the joined result. */
  private static final class Words {
    private final List<String> words = new ArrayList<>();
    private final StringBuilder word = new StringBuilder();
    private boolean inWord;

    void addChar(int ch) {
      if (GoText.isSpace(ch)) {
        if (inWord && word.length() != 0) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      word.append((char) ch);
      inWord = true;
    }

    void addString(String s) {
      for (int i = 0; i < s.length(); i++) {
        addChar(s.charAt(i));
      }
    }

    void addRawString(String s) {
      word.append(s);
      inWord = true;
    }

    List<String> get() {
      if (word.length() > 0) {
        words.add(word.toString());
        word.setLength(0);
        inWord = false;
      }
      return words;
    }
  }

  private Result processStopOn(int stop, boolean escapesRaw) throws LexError {
    boolean saved = rawEscapes;
    rawEscapes = escapesRaw;
    try {
      return processStopOnInner(stop);
    } finally {
      rawEscapes = saved;
    }
  }

  private Result processStopOnInner(int stop) throws LexError {
    StringBuilder result = new StringBuilder();
    Words words = new Words();
    while (peek() != EOF) {
      int ch = peek();
      if (stop != EOF && ch == stop) {
        next();
        return new Result(result.toString(), words.get());
      }
      if (ch == '\'' || ch == '"' || ch == '$') {
        String tmp = ch == '\'' ? singleQuote() : ch == '"' ? doubleQuote() : dollar();
        result.append(tmp);
        if (ch == '$') {
          words.addString(tmp);
        } else {
          words.addRawString(tmp);
        }
        continue;
      }
      ch = next();
      if (ch == escape) {
        if (rawEscapes) {
          words.addRawChar(ch);
          result.append((char) ch);
        }
        ch = next();
        if (ch == EOF) {
          break;
        }
        words.addRawChar(ch);
      } else {
        words.addChar(ch);
      }
      result.append((char) ch);
    }
    if (stop != EOF) {
      throw new LexError("unexpected end of statement while looking for matching " + (char) stop);
    }
    return new Result(result.toString(), words.get());
  }

  private String singleQuote() throws LexError {
    StringBuilder result = new StringBuilder();
    int ch = next();
    if (rawQuotes) {
      result.append((char) ch);
    }
    while (true) {
      ch = next();
      if (ch == EOF) {
        throw new LexError("unexpected end of statement while looking for matching single-quote");
      }
      if (ch == '\'') {
        if (rawQuotes) {
          result.append((char) ch);
        }
        return result.toString();
      }
      result.append((char) ch);
    }
  }

  private String doubleQuote() throws LexError {
    StringBuilder result = new StringBuilder();
    int ch = next();
    if (rawQuotes) {
      result.append((char) ch);
    }
    while (true) {
      int p = peek();
      if (p == EOF) {
        throw new LexError("unexpected end of statement while looking for matching double-quote");
      }
      if (p == '"') {
        next();
        if (rawQuotes) {
          result.append('"');
        }
        return result.toString();
      }
      if (p == '$') {
        result.append(dollar());
        continue;
      }
      ch = next();
      if (ch == escape) {
        if (rawEscapes) {
          result.append((char) ch);
        }
        int after = peek();
        if (after == EOF) {
          continue;
        }
        // Inside double quotes only these can be escaped; other escapes stay literal.
        if (after == '"' || after == '$' || after == escape) {
          ch = next();
        }
      }
      result.append((char) ch);
    }
  }

  private String dollar() throws LexError {
    next();
    if (peek() != '{') {
      String name = name();
      if (name.isEmpty()) {
        return "$";
      }
      String value = env.get(name);
      if (value == null && skipUnsetEnv) {
        return "$" + name;
      }
      return value == null ? "" : value;
    }
    next();
    if (nesting == MAX_NESTING) {
      throw new LexError("syntax error: substitutions nested more than " + MAX_NESTING + " levels deep");
    }
    nesting++;
    try {
      return braced();
    } finally {
      nesting--;
    }
  }

  /** The rest of a braced reference, after its <code>${</code>. */
  private String braced() throws LexError {
    int first = peek();
    if (first == EOF) {
      throw new LexError("syntax error: missing '}'");
    }
    if (first == '{' || first == '}' || first == ':') {
      throw new LexError("syntax error: bad substitution");
    }
    String name = name();
    int ch = next();
    if (ch == '}') {
      String value = env.get(name);
      if (value == null && skipUnsetEnv) {
        return "${" + name + "}";
      }
      return value == null ? "" : value;
    }
    if (ch == '/') {
      return replace(name);
    }
    String modifier = ch == EOF ? "" : String.valueOf((char) ch);
    boolean nullIsUnset = false;
    if (ch == ':') {
      nullIsUnset = true;
      ch = next();
      modifier += ch == EOF ? "" : String.valueOf((char) ch);
    }
    if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
      if (ch == EOF) {
        throw new LexError("syntax error: missing '}'");
      }
      throw new LexError("unsupported modifier (" + modifier + ") in substitution");
    }
    boolean pattern = ch == '#' || ch == '%';
    if (nullIsUnset && pattern) {
      throw new LexError("unsupported modifier (" + modifier + ") in substitution");
    }
    String word = stopOnBrace(pattern);
    String value = env.get(name);
    boolean set = value != null;
    if (!set && skipUnsetEnv) {
      return "${" + name + modifier + word + "}";
    }
    String v = set ? value : "";
    switch (ch) {
      case '-':
        return !set || (nullIsUnset && v.isEmpty()) ? word : v;
      case '+':
        return !set || (nullIsUnset && v.isEmpty()) ? "" : word;
      case '?':
        if (!set) {
          throw new LexError(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
        }
        if (nullIsUnset && v.isEmpty()) {
          throw new LexError(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
        }
        return v;
      default:
        boolean greedy = !word.isEmpty() && word.charAt(0) == ch;
        String pat = greedy ? word.substring(1) : word;
        try {
          return ch == '#' ? Glob.trimPrefix(pat, v, greedy) : Glob.trimSuffix(pat, v, greedy);
        } catch (IllegalArgumentException e) {
          throw new LexError("invalid pattern (" + pat + ") in substitution: " + e.getMessage());
        }
    }
  }

  private String stopOnBrace(boolean escapesRaw) throws LexError {
    try {
      return processStopOn('}', escapesRaw).word();
    } catch (LexError e) {
      if (peek() == EOF) {
        throw new LexError("syntax error: missing '}'");
      }
      throw e;
    }
  }

  private String replace(String name) throws LexError {
    boolean all = peek() == '/';
    if (all) {
      next();
    }
    String pattern;
    try {
      pattern = processStopOn('/', true).word();
    } catch (LexError e) {
      if (peek() == EOF) {
        throw new LexError("syntax error: missing '/' in ${}");
      }
      throw e;
    }
    String replacement = stopOnBrace(true);
    String value = env.get(name);
    if (value == null && skipUnsetEnv) {
      return "${" + name + "/" + pattern + "/" + replacement + "}";
    }
    try {
      return Glob.replace(pattern, value == null ? "" : value, replacement, all);
    } catch (IllegalArgumentException e) {
      throw new LexError("invalid pattern (" + pattern + ") in substitution: " + e.getMessage());
    }
  }

  private String name() {
    StringBuilder name = new StringBuilder();
    while (peek() != EOF) {
      int ch = peek();
      if (name.length() == 0 && Character.isDigit(ch)) {
        while (peek() != EOF && Character.isDigit(peek())) {
          name.append((char) next());
        }
        return name.toString();
      }
      if (name.length() == 0 && isSpecialParam(ch)) {
        return String.valueOf((char) next());
      }
      if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
        break;
      }
      name.append((char) next());
    }
    return name.toString();
  }

  private static boolean isSpecialParam(int ch) {
    return switch (ch) {
      case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
      default -> false;
    };
  }
}
