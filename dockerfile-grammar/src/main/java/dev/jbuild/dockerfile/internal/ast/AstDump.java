package dev.jbuild.dockerfile.internal.ast;

import java.util.List;
import java.util.Locale;

/** BuildKit's {@code Node.Dump()} s-expressions, for conformance with its parser fixtures. */
public final class AstDump {
  private AstDump() {
  }

  public static String dump(ParsedFile file) {
    StringBuilder out = new StringBuilder();
    for (Node node : file.nodes()) {
      out.append('(').append(dump(node.line())).append(")\n");
    }
    return out.toString();
  }

  public static String dump(LineNode node) {
    StringBuilder out = new StringBuilder(node.keyword().toLowerCase(Locale.ROOT));
    if (!node.flags().isEmpty()) {
      out.append(' ').append(quoteList(node.flags()));
    }
    if (node.child() != null) {
      out.append(" (").append(dump(node.child())).append(')');
    }
    for (String arg : node.args()) {
      out.append(' ').append(GoText.quote(arg));
    }
    return GoText.trim(out.toString());
  }

  /** Go's {@code fmt.Sprintf("%q", []string)}. */
  private static String quoteList(List<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(GoText.quote(values.get(i)));
    }
    return out.append(']').toString();
  }
}
