package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.ir.SourceSpan;
import org.antlr.v4.runtime.Token;

/**
 * The one place ANTLR positions (1-based lines, 0-based columns in code points) become 1-based
 * {@link SourceSpan} columns.
 */
final class Positions {
  private Positions() {
  }

  /** The span from the start of {@code first} to {@code endLine:endColumn}. */
  static SourceSpan span(LogicalLineToken first, int endLine, int endColumn) {
    return new SourceSpan(first.getLine(), first.startColumn, endLine, endColumn);
  }

  /** 1-based column of the last character of {@code token}, a whole physical line (its line end excluded). */
  static int lineEndColumn(Token token) {
    String text = token.getText();
    int length = text.endsWith("\n") ? text.length() - 1 : text.length();
    return token.getCharPositionInLine() + Math.max(length, 1);
  }

  /**
   * 1-based end column of the instruction text {@code line[0, stop)} on a physical line, where
   * {@code wordEnd} ends the instruction word (0 on continuation lines).
   *
   * <p>The column is the code-point column where the last text piece starts plus the piece's
   * length in UTF-16 units, pieces being the runs between {@code \} and {@code `} characters and
   * those characters themselves. The two units only differ on lines holding characters outside
   * the BMP; spans there stay as they have always been reported.
   */
  static int textEndColumn(Token token, String line, int wordEnd, int stop) {
    boolean bmpOnly = token.getStopIndex() - token.getStartIndex() + 1 == line.length();
    if (bmpOnly || stop <= wordEnd) {
      return stop;
    }
    int start = stop - 1;
    if (!isPieceBreak(line.charAt(start))) {
      while (start > wordEnd && !isPieceBreak(line.charAt(start - 1))) {
        start--;
      }
    }
    return line.codePointCount(0, start) + stop - start;
  }

  private static boolean isPieceBreak(char c) {
    return c == '\\' || c == '`';
  }
}
