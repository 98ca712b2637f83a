package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.ir.SourceSpan;
import java.util.List;

/**
 * One instruction of the generic AST (BuildKit's parser level, before instruction
 * validation): the dispatched line plus the heredoc bodies that followed it and its span.
 */
public record Node(LineNode line, List<RawHeredoc> heredocs, SourceSpan span) {
  public Node {
    heredocs = List.copyOf(heredocs);
  }

  /** A heredoc with its body as read (not yet chomped). */
  public record RawHeredoc(HeredocMarker marker, String content) {
  }
}
