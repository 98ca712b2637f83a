package dev.jbuild.dockerfile.internal.ast;

import java.util.List;

/**
 * One logical line after BuildKit's dispatch table: the instruction word as written, the
 * leading {@code --flags}, and the arguments (BuildKit's {@code Next} chain). {@code child}
 * is the nested instruction of {@code ONBUILD}; {@code json} is BuildKit's "json" attribute.
 */
public record LineNode(String keyword, String original, List<String> flags, List<String> args,
             LineNode child, boolean json) {
  public LineNode {
    flags = List.copyOf(flags);
    args = List.copyOf(args);
  }

  public String lowerKeyword() {
    return keyword.toLowerCase(java.util.Locale.ROOT);
  }
}
