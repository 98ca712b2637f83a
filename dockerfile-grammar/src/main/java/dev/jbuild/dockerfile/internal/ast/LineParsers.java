package dev.jbuild.dockerfile.internal.ast;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * BuildKit's parser-level dispatch table: how the rest of a logical line becomes arguments
 * for each instruction word. Unknown words are kept (with one empty argument) so that the
 * instruction layer, not the parser, rejects them.
 */
public final class LineParsers {
  private LineParsers() {
  }

  /** @throws ParseFailure (without location) for the few parser-level errors */
  public static LineNode parseLine(String line, char escape) {
    CommandSplitter.Split split = CommandSplitter.split(line);
    String rest = split.rest();
    List<String> args = new ArrayList<>();
    boolean json = false;
    LineNode child = null;
    switch (split.keyword().toLowerCase(Locale.ROOT)) {
      case "run", "cmd", "entrypoint", "shell" -> json = maybeJson(rest, args);
      case "add", "copy", "volume" -> json = maybeJsonToList(rest, args);
      case "from", "expose" -> whitespaceDelimited(rest, args);
      case "maintainer", "user", "workdir", "stopsignal" -> {
        if (!rest.isEmpty()) {
          args.add(rest);
        }
      }
      case "env" -> nameValues(rest, "ENV", escape, args);
      case "label" -> nameValues(rest, "LABEL", escape, args);
      case "arg" -> args.addAll(words(rest, escape));
      case "healthcheck" -> json = healthcheck(rest, args);
      case "onbuild" -> {
        if (!rest.isEmpty()) {
          child = parseLine(rest, escape);
        }
      }
      default -> args.add("");
    }
    return new LineNode(split.keyword(), line, split.flags(), args, child, json);
  }

  private static boolean maybeJson(String rest, List<String> args) {
    if (rest.isEmpty()) {
      return false;
    }
    Optional<List<String>> parsed = JsonArray.parse(rest);
    if (parsed.isPresent()) {
      args.addAll(parsed.get());
      return true;
    }
    args.add(rest);
    return false;
  }

  private static boolean maybeJsonToList(String rest, List<String> args) {
    Optional<List<String>> parsed = JsonArray.parse(rest);
    if (parsed.isPresent()) {
      args.addAll(parsed.get());
      return true;
    }
    whitespaceDelimited(rest, args);
    return false;
  }

  private static void whitespaceDelimited(String rest, List<String> args) {
    if (rest.isEmpty()) {
      return;
    }
    // Go's regexp.Split keeps empty leading/trailing fields; rest is trimmed so none occur.
    for (String part : CommandSplitter.splitWhitespace(rest, -1)) {
      args.add(part);
    }
  }

  private static boolean healthcheck(String rest, List<String> args) {
    int sep = 0;
    while (sep < rest.length() && !GoText.isSpace(rest.charAt(sep))) {
      sep++;
    }
    if (sep == 0) {
      return false;
    }
    int next = sep;
    while (next < rest.length() && GoText.isSpace(rest.charAt(next))) {
      next++;
    }
    args.add(rest.substring(0, sep));
    return maybeJson(rest.substring(next), args);
  }

  /** ENV/LABEL: {@code key value sep} triples; sep is "=" or "" for the legacy form. */
  private static void nameValues(String rest, String instruction, char escape, List<String> args) {
    List<String> words = words(rest, escape);
    if (words.isEmpty()) {
      return;
    }
    if (!words.get(0).contains("=")) {
      String[] parts = CommandSplitter.splitWhitespace(rest, 2);
      if (parts.length < 2) {
        throw ParseFailure.near(instruction + " must have two arguments", parts[0]);
      }
      args.add(parts[0]);
      args.add(parts[1]);
      args.add("");
      return;
    }
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq < 0) {
        throw ParseFailure.near("Syntax error - can't find = in " + GoText.quote(word)
            + ". Must be of the form: name=value", word);
      }
      args.add(word.substring(0, eq));
      args.add(word.substring(eq + 1));
      args.add("=");
    }
  }

  /** Shell-like words: split on unquoted whitespace, quotes and escapes kept for later expansion. */
  static List<String> words(String rest, char escape) {
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    List<String> words = new ArrayList<>();
    int phase = inSpaces;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    int n = rest.length();
    for (int pos = 0; pos <= n; pos++) {
      char ch = pos < n ? rest.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == n) {
          break;
        }
        if (GoText.isSpace(ch)) {
          continue;
        }
        phase = inWord;
      }
      if (pos == n) {
        if (blankOk || word.length() > 0) {
          words.add(word.toString());
        }
        break;
      }
      if (phase == inWord) {
        if (GoText.isSpace(ch)) {
          phase = inSpaces;
          if (blankOk || word.length() > 0) {
            words.add(word.toString());
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = inQuote;
        }
        if (ch == escape) {
          if (pos + 1 == n) {
            continue;
          }
          word.append(ch);
          pos++;
          ch = rest.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      // inQuote
      if (ch == quote) {
        phase = inWord;
      }
      if (ch == escape && quote != '\'') {
        if (pos + 1 == n) {
          phase = inWord;
          continue;
        }
        pos++;
        word.append(ch);
        ch = rest.charAt(pos);
      }
      word.append(ch);
    }
    return words;
  }
}
