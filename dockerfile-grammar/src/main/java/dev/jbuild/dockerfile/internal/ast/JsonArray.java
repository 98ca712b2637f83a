package dev.jbuild.dockerfile.internal.ast;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a leading JSON array the way BuildKit does with Go's {@code json.Decoder}: only the
 * first value is decoded and anything after it is ignored, a syntax error means "not JSON"
 * (the caller falls back to shell form), while well-formed JSON holding a non-string is a
 * hard error.
 */
final class JsonArray {
  static final String NOT_STRING_ARRAY =
      "when using JSON array syntax, arrays must be comprised of strings only";
  /** Go's encoding/json nesting limit; deeper input is a syntax error there, so shell form here. */
  static final int MAX_DEPTH = 10_000;
  private static final int NEEDLE_LENGTH = 40;

  private final String text;
  private int pos;
  private int firstNonString = -1;

  private JsonArray(String text) {
    this.text = text;
  }

  /** Empty when {@code rest} is not a JSON array; throws when it is one with non-strings. */
  static Optional<List<String>> parse(String rest) {
    String s = GoText.trimLeft(rest);
    if (!s.startsWith("[")) {
      return Optional.empty();
    }
    JsonArray reader = new JsonArray(s);
    List<String> values = new ArrayList<>();
    try {
      reader.readTopArray(values);
    } catch (SyntaxError e) {
      return Optional.empty();
    }
    if (reader.firstNonString >= 0) {
      int from = reader.firstNonString;
      throw ParseFailure.near(NOT_STRING_ARRAY, s.substring(from, Math.min(s.length(), from + NEEDLE_LENGTH)));
    }
    return Optional.of(values);
  }

  private static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxError() {
      super(null, null, false, false);
    }
  }

  private void readTopArray(List<String> top) throws SyntaxError {
    expect('[');
    skipWs();
    if (peek() == ']') {
      pos++;
      return;
    }
    while (true) {
      skipWs();
      if (peek() == '"') {
        top.add(readString());
      } else {
        if (firstNonString < 0) {
          firstNonString = pos;
        }
        skipValue();
      }
      skipWs();
      int c = next();
      if (c == ']') {
        return;
      }
      if (c != ',') {
        throw new SyntaxError();
      }
    }
  }

  /**
   * Skips one value inside the top array without recursion: hostile input may nest
   * thousands of levels deep, which must not cost a stack frame per level.
   */
  private void skipValue() throws SyntaxError {
    // open[i] is the bracket that opened nesting level i (the top array is level 0).
    char[] open = new char[MAX_DEPTH];
    int depth = 0;
    while (true) {
      // Read the start of a value.
      skipWs();
      int c = peek();
      boolean closedEmpty = false;
      if (c == '[' || c == '{') {
        pos++;
        if (depth + 1 >= MAX_DEPTH) {
          throw new SyntaxError();
        }
        open[++depth] = (char) c;
        skipWs();
        if (peek() == (c == '[' ? ']' : '}')) {
          pos++;
          depth--;
          closedEmpty = true;
        } else if (c == '{') {
          readKey();
          continue;
        } else {
          continue;
        }
      }
      if (!closedEmpty) {
        readScalar();
      }
      // After a value: commas continue the container, closing brackets pop it.
      while (true) {
        if (depth == 0) {
          return;
        }
        skipWs();
        int after = next();
        if (after == ',') {
          if (open[depth] == '{') {
            readKey();
          }
          break;
        }
        if (after != (open[depth] == '[' ? ']' : '}')) {
          throw new SyntaxError();
        }
        depth--;
      }
    }
  }

  private void readKey() throws SyntaxError {
    skipWs();
    if (peek() != '"') {
      throw new SyntaxError();
    }
    readString();
    skipWs();
    expect(':');
  }

  private void readScalar() throws SyntaxError {
    int c = peek();
    if (c == '"') {
      readString();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      readNumber();
    } else if (!literal("true") && !literal("false") && !literal("null")) {
      throw new SyntaxError();
    }
  }

  private void readNumber() throws SyntaxError {
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) {
        pos++;
      }
    } else {
      throw new SyntaxError();
    }
    if (peek() == '.') {
      pos++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      digits();
    }
  }

  private void digits() throws SyntaxError {
    if (!isDigit(peek())) {
      throw new SyntaxError();
    }
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private boolean literal(String word) {
    if (text.startsWith(word, pos)) {
      pos += word.length();
      return true;
    }
    return false;
  }

  private String readString() throws SyntaxError {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      int c = next();
      if (c < 0 || c < 0x20) {
        throw new SyntaxError();
      }
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append((char) c);
        continue;
      }
      int e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append((char) e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(readHex4());
        default -> throw new SyntaxError();
      }
    }
  }

  private char readHex4() throws SyntaxError {
    if (pos + 4 > text.length()) {
      throw new SyntaxError();
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos++), 16);
      if (d < 0) {
        throw new SyntaxError();
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private void skipWs() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private int peek() {
    return pos < text.length() ? text.charAt(pos) : -1;
  }

  private int next() {
    return pos < text.length() ? text.charAt(pos++) : -1;
  }

  private void expect(char c) throws SyntaxError {
    if (next() != c) {
      throw new SyntaxError();
    }
  }
}
