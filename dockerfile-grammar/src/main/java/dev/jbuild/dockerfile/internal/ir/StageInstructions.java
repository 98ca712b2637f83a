package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.GoText;
import dev.jbuild.dockerfile.internal.ast.LineNode;
import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.From;
import dev.jbuild.dockerfile.ir.Onbuild;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** FROM and ONBUILD: the instructions about stages and images rather than the filesystem. */
final class StageInstructions {

  /** Compiled on first use only: most files have no ONBUILD, and every first parse pays for a compile. */
  private static final class OnbuildPrefix {
    static final Pattern PATTERN = Pattern.compile("(?i)^\\s*ONBUILD\\s*");
  }

  private StageInstructions() {
  }

  /** BuildKit's {@code ^[a-z][a-z0-9-_.]*$}, by hand so that no pattern is compiled on the first parse. */
  private static boolean isStageName(String name) {
    if (name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    return true;
  }

  static From from(Node node) {
    LineNode line = node.line();
    FlagSet flags = new FlagSet("FROM").withString("platform").parse(line.flags());
    List<String> args = line.args();
    boolean named = args.size() == 3 && args.get(1).equalsIgnoreCase("as");
    if (args.size() != 1 && !named) {
      throw new ParseFailure("FROM requires either one or three arguments");
    }
    String stageName = null;
    if (named) {
      stageName = args.get(2);
      if (!isStageName(stageName.toLowerCase(Locale.ROOT))) {
        throw ParseFailure.near("invalid name for build stage: " + GoText.quote(stageName)
            + ", name can't start with a number or contain symbols", stageName);
      }
    }
    return new From(node.span(), line.original(), args.get(0), flags.string("platform"), stageName);
  }

  static Onbuild onbuild(Node node) {
    LineNode line = node.line();
    Checks.noFlags(line);
    LineNode trigger = line.child();
    if (trigger == null) {
      throw new ParseFailure("ONBUILD requires at least one argument");
    }
    String word = Checks.upper(trigger);
    if (word.equals("ONBUILD")) {
      throw new ParseFailure("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    }
    if (word.equals("MAINTAINER") || word.equals("FROM")) {
      throw ParseFailure.near(word + " isn't allowed as an ONBUILD trigger", trigger.keyword());
    }
    // Fail now rather than in every child build: the trigger must itself be valid.
    InstructionTranslator.translate(new Node(trigger, node.heredocs(), node.span()));
    String text = OnbuildPrefix.PATTERN.matcher(line.original()).replaceFirst("");
    return new Onbuild(node.span(), line.original(), text);
  }
}
