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
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Source text to generic AST: the ANTLR lexer splits physical lines, {@link LogicalLines} joins
 * them into logical lines, the ANTLR parser recognises the file structure, then each logical line
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
    LogicalLines lines = new LogicalLines(lexer);
    LineState state = lines.state();
    DockerfileLineParser parser = new DockerfileLineParser(new CommonTokenStream(lines));
    // The listener below throws at the first error, so the resynchronisation that the default strategy
    // prepares before every loop iteration would never be used: skip it.
    parser.setErrorHandler(new DefaultErrorStrategy() {
      @Override
      public void sync(Parser recognizer) {
      }
    });
    parser.removeErrorListeners();
    parser.addErrorListener(new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
                  int charPositionInLine, String msg, RecognitionException e) {
        if (state.heredocPending()) {
          int start = state.instructionStartLine();
          String name = state.pendingHeredoc();
          throw ParseFailure.near("unterminated heredoc: no line " + GoText.quote(name) + " ends it", "<<")
              .at(start, 1, start);
        }
        throw new ParseFailure("syntax error: " + msg, line, charPositionInLine + 1);
      }
    });
    DockerfileLineParser.DockerfileContext tree = parser.dockerfile();
    char escape = state.escape();
    List<Node> nodes = new ArrayList<>();
    for (InstructionContext instruction : tree.instruction()) {
      nodes.add(toNode(instruction, escape));
    }
    if (nodes.isEmpty()) {
      throw new ParseFailure("file with no instructions", Math.max(lineCount(source), 1));
    }
    return new ParsedFile(state.directives(), escape, nodes);
  }

  private static Node toNode(InstructionContext ctx, char escape) {
    LogicalLineToken head = (LogicalLineToken) ctx.INSTRUCTION().getSymbol();
    LineNode lineNode;
    try {
      lineNode = LineParsers.parseLine(head.getText(), escape);
    } catch (ParseFailure e) {
      throw e.at(head.getLine(), head.startColumn, head.endLine);
    }
    int endLine = head.endLine;
    int endColumn = head.endColumn;
    List<HeredocContext> bodies = ctx.heredoc();
    if (bodies.isEmpty()) {
      return new Node(lineNode, List.of(), Positions.span(head, endLine, endColumn));
    }
    List<HeredocMarker> markers;
    try {
      markers = HeredocScanner.markers(lineNode);
    } catch (ParseFailure e) {
      throw e.at(head.getLine(), head.startColumn, head.endLine);
    }
    List<Node.RawHeredoc> heredocs = new ArrayList<>();
    for (int i = 0; i < bodies.size() && i < markers.size(); i++) {
      StringBuilder content = new StringBuilder();
      for (TerminalNode line : bodies.get(i).HEREDOC_LINE()) {
        content.append(line.getSymbol().getText());
      }
      heredocs.add(new Node.RawHeredoc(markers.get(i), content.toString()));
      TerminalNode terminator = bodies.get(i).HEREDOC_END();
      endLine = terminator.getSymbol().getLine();
      endColumn = Positions.lineEndColumn(terminator.getSymbol());
    }
    return new Node(lineNode, heredocs, Positions.span(head, endLine, endColumn));
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
