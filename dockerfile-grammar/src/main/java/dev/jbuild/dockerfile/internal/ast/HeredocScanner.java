package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.expand.ShellLex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which heredocs an instruction line opens. Shared by the lexer (to know how many bodies to
 * read) and the AST builder (to name them), so both always agree.
 */
public final class HeredocScanner {
  private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("add", "copy", "run");
  // BuildKit always lexes heredoc words with backslash, regardless of the escape directive.
  private static final ShellLex RAW_LINE = new ShellLex('\\').withRawQuotes(true).withRawEscapes(true)
      .withSkipUnsetEnv(true);
  private static final ShellLex UNQUOTED = new ShellLex('\\').withSkipUnsetEnv(true);
  private static final ShellLex QUOTED = UNQUOTED.withRawQuotes(true);

  private HeredocScanner() {
  }

  /** Heredocs the logical line opens; empty for instructions that cannot hold any. */
  public static List<HeredocMarker> markers(LineNode node) {
    if (!node.original().contains("<<")) {
      return List.of();
    }
    LineNode target = node;
    if (target.lowerKeyword().equals("onbuild") && target.child() != null) {
      target = target.child();
    }
    if (!HEREDOC_INSTRUCTIONS.contains(target.lowerKeyword()) || target.json()) {
      return List.of();
    }
    List<String> words;
    try {
      words = RAW_LINE.splitWords(node.original(), Map.of());
    } catch (DockerfileException e) {
      return List.of();
    }
    List<HeredocMarker> result = new ArrayList<>();
    for (String word : words) {
      HeredocMarker marker = parse(word);
      if (marker != null) {
        result.add(marker);
      }
    }
    return result;
  }

  /** The heredoc a single word denotes, or null when it is not one. */
  public static HeredocMarker parse(String word) {
    // BuildKit's `^(\d*)<<(-?)([^<]*)$`, matched by hand: it runs on every COPY and ADD argument.
    int digits = 0;
    while (digits < word.length() && word.charAt(digits) >= '0' && word.charAt(digits) <= '9') {
      digits++;
    }
    if (!word.startsWith("<<", digits)) {
      return null;
    }
    boolean chomp = word.startsWith("-", digits + 2);
    String rest = word.substring(digits + (chomp ? 3 : 2));
    if (rest.isEmpty() || rest.indexOf('<') >= 0) {
      return null;
    }
    List<String> words;
    List<String> raw;
    try {
      words = UNQUOTED.splitWords(rest, Map.of());
      if (words.size() != 1) {
        return null;
      }
      raw = QUOTED.splitWords(rest, Map.of());
    } catch (DockerfileException e) {
      throw new ParseFailure(e.getMessage());
    }
    if (raw.size() != words.size()) {
      throw new ParseFailure("internal lexing of heredoc produced inconsistent results: " + rest);
    }
    String name = words.get(0);
    // A quoted delimiter (any part of it) turns expansion of the body off.
    boolean expand = quotes(name) == quotes(raw.get(0));
    int fd = digits == 0 ? 0 : parseFd(word.substring(0, digits));
    return new HeredocMarker(name, fd, expand, chomp);
  }

  private static int parseFd(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int quotes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        n++;
      }
    }
    return n;
  }

  /** Safe for the lexer: never throws, any error surfaces again in the AST builder. */
  static List<HeredocMarker> markersQuietly(String logicalLine, char escape) {
    if (!logicalLine.contains("<<")) {
      return List.of();
    }
    try {
      return markers(LineParsers.parseLine(logicalLine, escape));
    } catch (ParseFailure e) {
      return List.of();
    }
  }

  static boolean isHeredocInstruction(String keyword) {
    return HEREDOC_INSTRUCTIONS.contains(keyword.toLowerCase(Locale.ROOT));
  }
}
