package dev.jbuild.dockerfile.internal.ast;

/**
 * A parse error inside the internal layers. Unchecked because it has to cross generated
 * ANTLR code (lexer actions, error listeners); the facade turns it into the public checked
 * {@code DockerfileSyntaxException}.
 *
 * <p>A failure may name a {@code needle}: the offending text (a flag, a stage name). Inner
 * layers work on logical lines with continuations already joined, so they cannot know the
 * physical column; the facade finds the needle in the instruction's source lines instead.
 */
public final class ParseFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final int endLine;
  private final String needle;

  private ParseFailure(String message, int line, int column, int endLine, String needle) {
    super(message, null, false, false);
    this.line = line;
    this.column = column;
    this.endLine = Math.max(line, endLine);
    this.needle = needle;
  }

  public ParseFailure(String message, int line, int column) {
    this(message, line, column, line, null);
  }

  public ParseFailure(String message, int line) {
    this(message, line, 1);
  }

  /** Without a location yet; {@link #at} adds it where the instruction is known. */
  public ParseFailure(String message) {
    this(message, 0, 0, 0, null);
  }

  /** Without a location yet, pointing at {@code needle} once located. */
  public static ParseFailure near(String message, String needle) {
    return new ParseFailure(message, 0, 0, 0, needle == null || needle.isEmpty() ? null : needle);
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The last source line the needle may be on (the instruction's end). */
  public int endLine() {
    return endLine;
  }

  /** Offending text to point at, searched from {@code line:column} to {@code endLine}; null for none. */
  public String needle() {
    return needle;
  }

  public boolean hasLocation() {
    return line > 0;
  }

  /** This failure located in the instruction spanning {@code startLine:startColumn} to {@code lastLine}. */
  public ParseFailure at(int startLine, int startColumn, int lastLine) {
    return hasLocation() ? this : new ParseFailure(getMessage(), startLine, startColumn, lastLine, needle);
  }

  public ParseFailure at(int newLine) {
    return at(newLine, 1, newLine);
  }
}
