package dev.jbuild.dockerfile.internal.ast;

/**
 * A parse error inside the internal layers. Unchecked because it has to cross generated
 * ANTLR code (lexer actions, error listeners); the facade turns it into the public checked
 * {@code DockerfileSyntaxException}.
 */
public final class ParseFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  public ParseFailure(String message, int line, int column) {
    super(message, null, false, false);
    this.line = line;
    this.column = column;
  }

  public ParseFailure(String message, int line) {
    this(message, line, 1);
  }

  /** Without a location yet; {@link #at(int)} adds it where the line is known. */
  public ParseFailure(String message) {
    this(message, 0, 0);
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public boolean hasLocation() {
    return line > 0;
  }

  public ParseFailure at(int newLine) {
    return hasLocation() ? this : new ParseFailure(getMessage(), newLine, 1);
  }
}
