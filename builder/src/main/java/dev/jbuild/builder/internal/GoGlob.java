package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import java.util.regex.Pattern;

/** One path component matched with Go's {@code filepath.Match} syntax, which COPY and ADD use. */
final class GoGlob {
  private final Pattern pattern;

  private GoGlob(Pattern pattern) {
    this.pattern = pattern;
  }

  static boolean hasMeta(String component) {
    return component.indexOf('*') >= 0 || component.indexOf('?') >= 0 || component.indexOf('[') >= 0
        || component.indexOf('\\') >= 0;
  }

  static GoGlob compile(String component, String where) throws BuildException {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '\\' -> {
          if (++i >= component.length()) {
            throw new BuildException(where + ": bad pattern \"" + component + "\": trailing backslash");
          }
          re.append(Pattern.quote(String.valueOf(component.charAt(i))));
        }
        case '[' -> {
          int end = component.indexOf(']', i + 2);
          if (end < 0) {
            throw new BuildException(where + ": bad pattern \"" + component + "\": unclosed [");
          }
          String cls = component.substring(i + 1, end);
          if (cls.startsWith("^")) {
            cls = "!" + cls.substring(1);
          }
          StringBuilder set = new StringBuilder("[");
          int j = 0;
          if (cls.startsWith("!")) {
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
              // Escaping every non-alphanumeric keeps Java's class syntax from reading it as an operator.
              set.append(Character.isLetterOrDigit(k) ? String.valueOf(k) : "\\" + k);
            }
          }
          re.append(set).append(']');
          i = end;
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new GoGlob(Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  boolean matches(String name) {
    return pattern.matcher(name).matches();
  }
}
