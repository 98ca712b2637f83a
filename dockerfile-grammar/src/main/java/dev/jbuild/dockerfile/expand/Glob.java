package dev.jbuild.dockerfile.expand;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Shell patterns ({@code * ? [..]}, backslash quoting) for the {@code # % /} substitutions. */
final class Glob {
  private Glob() {
  }

  static Pattern compile(String glob, boolean greedy) {
    StringBuilder re = new StringBuilder();
    String star = greedy ? ".*" : ".*?";
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      switch (c) {
        case '*' -> re.append(star);
        case '?' -> re.append('.');
        case '\\' -> {
          if (i >= glob.length()) {
            throw new IllegalArgumentException("invalid escape '\\'");
          }
          re.append(Pattern.quote(String.valueOf(glob.charAt(i++))));
        }
        case '[' -> i = charClass(glob, i, re);
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    try {
      return Pattern.compile(re.toString(), Pattern.DOTALL);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(e.getDescription(), e);
    }
  }

  /** Translates {@code [...]} starting after the '['; an unclosed class is a literal '['. */
  private static int charClass(String glob, int start, StringBuilder re) {
    int i = start;
    StringBuilder cls = new StringBuilder("[");
    if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
      cls.append('^');
      i++;
    }
    boolean first = true;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (c == ']' && !first) {
        re.append(cls).append(']');
        return i + 1;
      }
      first = false;
      if (c == '\\' && i + 1 < glob.length()) {
        c = glob.charAt(++i);
      }
      if (c == '-' && cls.length() > 1 && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
        cls.append('-');
      } else if (Character.isLetterOrDigit(c)) {
        cls.append(c);
      } else {
        cls.append('\\').append(c);
      }
      i++;
    }
    re.append("\\[");
    return start;
  }

  static String trimPrefix(String glob, String value, boolean longest) {
    Pattern p = compile(glob, true);
    if (longest) {
      for (int i = value.length(); i >= 0; i--) {
        if (p.matcher(value.substring(0, i)).matches()) {
          return value.substring(i);
        }
      }
    } else {
      for (int i = 0; i <= value.length(); i++) {
        if (p.matcher(value.substring(0, i)).matches()) {
          return value.substring(i);
        }
      }
    }
    return value;
  }

  static String trimSuffix(String glob, String value, boolean longest) {
    Pattern p = compile(glob, true);
    if (longest) {
      for (int i = 0; i <= value.length(); i++) {
        if (p.matcher(value.substring(i)).matches()) {
          return value.substring(0, i);
        }
      }
    } else {
      for (int i = value.length(); i >= 0; i--) {
        if (p.matcher(value.substring(i)).matches()) {
          return value.substring(0, i);
        }
      }
    }
    return value;
  }

  static String replace(String glob, String value, String replacement, boolean all) {
    Matcher m = compile(glob, true).matcher(value);
    String quoted = Matcher.quoteReplacement(replacement);
    return all ? m.replaceAll(quoted) : m.replaceFirst(quoted);
  }
}
