package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.ir.SourceSpan;
import org.antlr.v4.runtime.Token;

/** The one place ANTLR positions (1-based lines, 0-based columns) become {@link SourceSpan}s. */
final class Positions {
  private Positions() {
  }

  /**
   * @param skipLeading characters at the start of {@code first} that are not part of the span
   *     (indentation before the instruction word)
   */
  static SourceSpan span(Token first, int skipLeading, Token last) {
    String lastText = last.getText() == null ? "" : last.getText();
    int lastLength = lastText.endsWith("\n") ? lastText.length() - 1 : lastText.length();
    int endColumn = last.getCharPositionInLine() + Math.max(lastLength, 1);
    return new SourceSpan(first.getLine(), first.getCharPositionInLine() + skipLeading + 1,
        last.getLine(), endColumn);
  }

  static int column(Token token) {
    return token.getCharPositionInLine() + 1;
  }
}
