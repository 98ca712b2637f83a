package dev.jbuild.dockerfile.internal.ast;

/** The few Go standard-library text rules BuildKit's behaviour depends on. */
public final class GoText {
  private GoText() {
  }

  /** Go's {@code unicode.IsSpace}. */
  public static boolean isSpace(int c) {
    switch (c) {
      case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0:
        return true;
      default:
        return c > 0xFF && Character.getType(c) >= Character.SPACE_SEPARATOR
            && Character.getType(c) <= Character.PARAGRAPH_SEPARATOR;
    }
  }

  /** Go's {@code strings.TrimLeftFunc(s, unicode.IsSpace)}. */
  public static String trimLeft(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return s.substring(i);
  }

  /** Go's {@code strings.TrimSpace}. */
  public static String trim(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return trimLeft(s.substring(0, end));
  }

  /** Go's {@code strconv.Quote}, which is what BuildKit's AST dump prints. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(cp -> appendQuoted(out, cp));
    return out.append('"').toString();
  }

  private static void appendQuoted(StringBuilder out, int cp) {
    switch (cp) {
      case '"' -> out.append("\\\"");
      case '\\' -> out.append("\\\\");
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0B -> out.append("\\v");
      default -> {
        if (isPrint(cp)) {
          out.appendCodePoint(cp);
        } else if (cp < ' ' || cp == 0x7F) {
          out.append(String.format("\\x%02x", cp));
        } else if (cp < 0x10000) {
          out.append(String.format("\\u%04x", cp));
        } else {
          out.append(String.format("\\U%08x", cp));
        }
      }
    }
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER,
          Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
          Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
          Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }
}
