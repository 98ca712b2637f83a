package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.internal.antlr.DockerfileLexer;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * Turns the lexer's physical lines into the parser's logical lines (BuildKit's line reader):
 * parser directives at the top, then one {@link LogicalLineToken} per instruction, with the
 * continuation lines joined and the comment and blank lines inside them dropped, then a
 * {@code HEREDOC_LINE}/{@code HEREDOC_END} token per line of the heredoc bodies it opened.
 *
 * <p>Dropped lines never reach the parser's token buffer, so a hostile file of millions of
 * them costs no memory.
 */
final class LogicalLines implements TokenSource {
  private final DockerfileLexer lexer;
  private final LineState state = new LineState();
  /** The end of input, met while reading a logical line, to hand out next. */
  private Token eof;

  LogicalLines(DockerfileLexer lexer) {
    this.lexer = lexer;
  }

  LineState state() {
    return state;
  }

  @Override
  public Token nextToken() {
    Token token = eof != null ? eof : lexer.nextToken();
    int type = token.getType();
    if (type == Token.EOF) {
      return token;
    }
    if (state.heredocPending()) {
      String text = cacheText(token);
      int heredocType = state.heredocLine(text) ? DockerfileLexer.HEREDOC_END : DockerfileLexer.HEREDOC_LINE;
      ((CommonToken) token).setType(heredocType);
      return token;
    }
    if (type == DockerfileLexer.BLANK_LINE) {
      state.nonDirectiveLine();
    } else if (type == DockerfileLexer.COMMENT) {
      if (state.commentLine(token.getText(), token.getLine())) {
        ((CommonToken) token).setType(DockerfileLexer.DIRECTIVE);
      }
    } else {
      return instruction(token);
    }
    return token;
  }

  /** Reads the instruction that starts on {@code head} up to the end of its logical line. */
  private Token instruction(Token head) {
    state.instructionStart(head.getLine());
    String line = head.getText();
    int end = contentEnd(line);
    int lead = 0;
    while (GoText.isSpace(line.charAt(lead))) {
      lead++;
    }
    int last = lastNonBlank(line, end);
    boolean continues = state.continues(line, last);
    String text;
    int startColumn = lead + 1;
    int endLine = head.getLine();
    int endColumn;
    if (continues && last == lead) {
      // A lone escape starting the instruction: it has no text, and its span covers the whole line.
      text = "";
      startColumn = 1;
      endColumn = Positions.lineEndColumn(head);
    } else {
      int stop = continues ? last : end;
      text = line.substring(lead, stop);
      endColumn = Positions.textEndColumn(head, line, wordEnd(line, lead), stop);
    }
    StringBuilder joined = null;
    while (continues) {
      Token next = lexer.nextToken();
      if (next.getType() == Token.EOF) {
        eof = next;
        break;
      }
      if (next.getType() != DockerfileLexer.LINE) {
        continue; // comment and blank lines inside a continuation vanish
      }
      line = next.getText();
      end = contentEnd(line);
      last = lastNonBlank(line, end);
      continues = state.continues(line, last);
      int stop = continues ? last : end;
      if (stop > 0) {
        if (joined == null) {
          joined = new StringBuilder(text);
        }
        joined.append(line, 0, stop);
        endLine = next.getLine();
        endColumn = Positions.textEndColumn(next, line, 0, stop);
      }
    }
    if (joined != null) {
      text = joined.toString();
    }
    state.endLogicalLine(text);
    return new LogicalLineToken(head, text, startColumn, endLine, endColumn);
  }

  /** Reads the token's text once and keeps it, so later {@code getText()} calls do not copy it again. */
  private static String cacheText(Token token) {
    String text = token.getText();
    ((CommonToken) token).setText(text);
    return text;
  }

  private static int contentEnd(String line) {
    return line.endsWith("\n") ? line.length() - 1 : line.length();
  }

  /** Index of the last character before {@code end} that is not a space or tab, or -1. */
  private static int lastNonBlank(String line, int end) {
    int i = end - 1;
    while (i >= 0 && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i--;
    }
    return i;
  }

  /** End of the instruction word starting at {@code lead}: it stops at white space, {@code \} or {@code `}. */
  private static int wordEnd(String line, int lead) {
    int i = lead + 1;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\n' || c == '\\' || c == '`' || GoText.isSpace(c)) {
        break;
      }
      i++;
    }
    return i;
  }

  @Override
  public int getLine() {
    return lexer.getLine();
  }

  @Override
  public int getCharPositionInLine() {
    return lexer.getCharPositionInLine();
  }

  @Override
  public CharStream getInputStream() {
    return lexer.getInputStream();
  }

  @Override
  public String getSourceName() {
    return lexer.getSourceName();
  }

  @Override
  public void setTokenFactory(TokenFactory<?> factory) {
    lexer.setTokenFactory(factory);
  }

  @Override
  public TokenFactory<?> getTokenFactory() {
    return lexer.getTokenFactory();
  }
}
