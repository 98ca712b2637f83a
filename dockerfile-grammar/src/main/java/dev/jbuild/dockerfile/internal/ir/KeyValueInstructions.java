package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.LineNode;
import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Arg;
import dev.jbuild.dockerfile.ir.ArgDef;
import dev.jbuild.dockerfile.ir.Env;
import dev.jbuild.dockerfile.ir.KeyValue;
import dev.jbuild.dockerfile.ir.Label;
import java.util.ArrayList;
import java.util.List;

/** ENV, LABEL and ARG; values stay raw (quotes and escapes are removed by expansion later). */
final class KeyValueInstructions {
  private KeyValueInstructions() {
  }

  static Env env(Node node) {
    return new Env(node.span(), node.line().original(), pairs(node.line()));
  }

  static Label label(Node node) {
    return new Label(node.span(), node.line().original(), pairs(node.line()));
  }

  /** The dispatch table stored ENV/LABEL as (key, value, separator) triples. */
  private static List<KeyValue> pairs(LineNode line) {
    Checks.noFlags(line);
    Checks.atLeastOne(line);
    List<String> args = line.args();
    if (args.size() % 3 != 0) {
      throw new ParseFailure("Bad input to " + Checks.upper(line) + ", too many arguments");
    }
    List<KeyValue> pairs = new ArrayList<>();
    for (int i = 0; i < args.size(); i += 3) {
      if (args.get(i).isEmpty()) {
        throw new ParseFailure(Checks.upper(line) + " names can not be blank");
      }
      pairs.add(new KeyValue(args.get(i), args.get(i + 1)));
    }
    return pairs;
  }

  static Arg arg(Node node) {
    LineNode line = node.line();
    Checks.noFlags(line);
    Checks.atLeastOne(line);
    List<ArgDef> defs = new ArrayList<>();
    for (String word : line.args()) {
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      if (name.isEmpty()) {
        throw new ParseFailure("ARG names can not be blank");
      }
      defs.add(new ArgDef(name, eq < 0 ? null : word.substring(eq + 1)));
    }
    return new Arg(node.span(), line.original(), defs);
  }
}
