package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.LineNode;
import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Heredoc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Argument-count rules and helpers shared by the translators (BuildKit's wording). */
final class Checks {
  /** Compiled on first use only: few files hold a {@code <<-} heredoc. */
  private static final class LeadingTabs {
    static final Pattern PATTERN = Pattern.compile("(?m)^\\t+");
  }

  private Checks() {
  }

  static String upper(LineNode line) {
    return line.keyword().toUpperCase(Locale.ROOT);
  }

  static void atLeastOne(LineNode line) {
    if (line.args().isEmpty()) {
      throw new ParseFailure(upper(line) + " requires at least one argument");
    }
  }

  static void exactlyOne(LineNode line) {
    if (line.args().size() != 1) {
      throw new ParseFailure(upper(line) + " requires exactly one argument");
    }
  }

  static void noFlags(LineNode line) {
    new FlagSet(upper(line)).parse(line.flags());
  }

  static List<Heredoc> heredocs(Node node) {
    List<Heredoc> out = new ArrayList<>();
    for (Node.RawHeredoc raw : node.heredocs()) {
      out.add(heredoc(raw));
    }
    return out;
  }

  static Heredoc heredoc(Node.RawHeredoc raw) {
    String content = raw.marker().chomp() ? LeadingTabs.PATTERN.matcher(raw.content()).replaceAll("") : raw.content();
    return new Heredoc(raw.marker().name(), content, raw.marker().expand(), raw.marker().chomp());
  }
}
