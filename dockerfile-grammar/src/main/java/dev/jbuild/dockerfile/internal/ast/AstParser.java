package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.internal.antlr.DockerfileLexer;
import dev.jbuild.dockerfile.internal.antlr.DockerfileLineParser;
import dev.jbuild.dockerfile.internal.antlr.DockerfileLineParser.HeredocContext;
import dev.jbuild.dockerfile.internal.antlr.DockerfileLineParser.InstructionContext;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Source text to generic AST: ANTLR recognises the line structure, then each logical line
 * goes through BuildKit's dispatch table ({@link LineParsers}).
 */
public final class AstParser {
  private AstParser() {
  }

  /**
   * @param source text with LF line ends and no BOM
   * @throws ParseFailure located errors, including "file with no instructions"
   */
  public static ParsedFile parse(String source) {
    DockerfileLexer lexer = new DockerfileLexer(CharStreams.fromString(source));
    lexer.removeErrorListeners();
    DockerfileLineParser parser = new DockerfileLineParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.addErrorListener(new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
                  int charPositionInLine, String msg, RecognitionException e) {
        if (lexer.hooks().heredocPending()) {
          int start = lexer.hooks().instructionStartLine();
          String name = lexer.hooks().pendingHeredoc();
          throw ParseFailure.near("unterminated heredoc: no line " + GoText.quote(name) + " ends it", "<<")
              .at(start, 1, start);
        }
        throw new ParseFailure("syntax error: " + msg, line, charPositionInLine + 1);
      }
    });
    DockerfileLineParser.DockerfileContext tree = parser.dockerfile();
    char escape = lexer.hooks().escape();
    List<Node> nodes = new ArrayList<>();
    for (InstructionContext instruction : tree.instruction()) {
      nodes.add(toNode(instruction, escape));
    }
    if (nodes.isEmpty()) {
      int lines = lineCount(source);
      throw new ParseFailure("file with no instructions", Math.max(lines, 1));
    }
    return new ParsedFile(lexer.hooks().directives(), escape, nodes);
  }

  private static Node toNode(InstructionContext ctx, char escape) {
    Token head = ctx.head;
    StringBuilder line = new StringBuilder();
    int skipLeading = 0;
    if (head.getType() == DockerfileLexer.INSTRUCTION_WORD) {
      String trimmed = GoText.trimLeft(head.getText());
      skipLeading = head.getText().length() - trimmed.length();
      line.append(trimmed);
    }
    Token last = head;
    for (int i = 1; i < ctx.getChildCount(); i++) {
      if (!(ctx.getChild(i) instanceof TerminalNode terminal)) {
        break;
      }
      Token t = terminal.getSymbol();
      if (t.getType() != DockerfileLexer.TEXT && t.getType() != DockerfileLexer.ESC_CHAR) {
        break;
      }
      line.append(t.getText());
      last = t;
    }
    String joined = line.toString();
    int column = Positions.column(head) + skipLeading;
    LineNode lineNode;
    try {
      lineNode = LineParsers.parseLine(joined, escape);
    } catch (ParseFailure e) {
      throw e.at(head.getLine(), column, last.getLine());
    }
    List<Node.RawHeredoc> heredocs = new ArrayList<>();
    List<HeredocContext> bodies = ctx.heredoc();
    if (!bodies.isEmpty()) {
      List<HeredocMarker> markers;
      try {
        markers = HeredocScanner.markers(lineNode);
      } catch (ParseFailure e) {
        throw e.at(head.getLine(), column, last.getLine());
      }
      for (int i = 0; i < bodies.size() && i < markers.size(); i++) {
        StringBuilder content = new StringBuilder();
        for (Token t : bodies.get(i).HEREDOC_LINE().stream().map(n -> n.getSymbol()).toList()) {
          content.append(t.getText());
        }
        heredocs.add(new Node.RawHeredoc(markers.get(i), content.toString()));
        last = bodies.get(i).HEREDOC_END().getSymbol();
      }
    }
    return new Node(lineNode, heredocs, Positions.span(head, skipLeading, last));
  }

  private static int lineCount(String source) {
    if (source.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < source.length(); i++) {
      if (source.charAt(i) == '\n') {
        n++;
      }
    }
    return source.endsWith("\n") ? n : n + 1;
  }
}
