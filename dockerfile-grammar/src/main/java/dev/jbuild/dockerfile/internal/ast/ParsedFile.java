package dev.jbuild.dockerfile.internal.ast;

import dev.jbuild.dockerfile.ir.Directive;
import java.util.List;

/** The generic AST of a whole file. */
public record ParsedFile(List<Directive> directives, char escape, List<Node> nodes) {
  public ParsedFile {
    directives = List.copyOf(directives);
    nodes = List.copyOf(nodes);
  }
}
