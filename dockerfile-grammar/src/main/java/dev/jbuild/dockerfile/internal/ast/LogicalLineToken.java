package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.internal.antlr.DockerfileLexer;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;

/**
 * One instruction's logical line as a single token: its text is the physical lines joined with
 * continuations, and the comment and blank lines inside them, removed. Line and column are where
 * the instruction starts; {@link #startColumn} and the end fields are 1-based source positions.
 */
final class LogicalLineToken extends CommonToken {
  private static final long serialVersionUID = 1L;

  /** 1-based column of the instruction word (after indentation). */
  final int startColumn;
  /** Line and 1-based column of the last character of the logical line. */
  final int endLine;
  final int endColumn;

  LogicalLineToken(Token head, String text, int startColumn, int endLine, int endColumn) {
    super(head);
    setType(DockerfileLexer.INSTRUCTION);
    setText(text);
    this.startColumn = startColumn;
    this.endLine = endLine;
    this.endColumn = endColumn;
  }
}
