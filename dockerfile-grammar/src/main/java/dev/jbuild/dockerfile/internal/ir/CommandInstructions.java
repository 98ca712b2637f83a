package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.GoText;
import dev.jbuild.dockerfile.internal.ast.LineNode;
import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Cmd;
import dev.jbuild.dockerfile.ir.Command;
import dev.jbuild.dockerfile.ir.Entrypoint;
import dev.jbuild.dockerfile.ir.Healthcheck;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.dockerfile.ir.RunMount;
import dev.jbuild.dockerfile.ir.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK: the instructions that carry a command line. */
final class CommandInstructions {
  private static final Set<String> NETWORKS = Set.of("default", "none", "host");
  private static final Set<String> SECURITY = Set.of("sandbox", "insecure");

  private CommandInstructions() {
  }

  static Command command(LineNode line, List<String> args) {
    if (line.json()) {
      return new Command(true, args);
    }
    // Shell form: the dispatch table already kept the whole rest of the line as one argument.
    return new Command(false, args.isEmpty() ? List.of("") : List.of(args.get(0)));
  }

  static Run run(Node node) {
    LineNode line = node.line();
    FlagSet flags = new FlagSet("RUN").withStrings("mount").withString("network").withString("security")
        .parse(line.flags());
    Checks.atLeastOne(line);
    List<RunMount> mounts = new ArrayList<>();
    for (String spec : flags.strings("mount")) {
      mounts.add(MountParser.parse(spec));
    }
    String network = flags.string("network");
    if (network != null && !NETWORKS.contains(network)) {
      throw ParseFailure.near(Suggest.withHint("invalid network mode " + GoText.quote(network), network, NETWORKS,
          true, ""), network);
    }
    String security = flags.string("security");
    if (security != null && !SECURITY.contains(security)) {
      throw ParseFailure.near(Suggest.withHint("security " + GoText.quote(security) + " is not valid", security,
          SECURITY, true, ""), security);
    }
    return new Run(node.span(), line.original(), command(line, line.args()), mounts, network, security,
        line.json() ? List.of() : Checks.heredocs(node));
  }

  static Cmd cmd(Node node) {
    Checks.noFlags(node.line());
    return new Cmd(node.span(), node.line().original(), command(node.line(), node.line().args()));
  }

  static Entrypoint entrypoint(Node node) {
    Checks.noFlags(node.line());
    return new Entrypoint(node.span(), node.line().original(), command(node.line(), node.line().args()));
  }

  static Shell shell(Node node) {
    LineNode line = node.line();
    Checks.noFlags(line);
    Checks.atLeastOne(line);
    if (!line.json()) {
      throw new ParseFailure("SHELL requires the arguments to be in JSON form");
    }
    return new Shell(node.span(), line.original(), line.args());
  }

  static Healthcheck healthcheck(Node node) {
    LineNode line = node.line();
    FlagSet flags = new FlagSet("HEALTHCHECK").withString("interval").withString("timeout").withString("start-period")
        .withString("start-interval").withString("retries").parse(line.flags());
    Checks.atLeastOne(line);
    String type = line.args().get(0).toUpperCase(Locale.ROOT);
    List<String> rest = line.args().subList(1, line.args().size());
    if (type.equals("NONE")) {
      if (!rest.isEmpty()) {
        throw new ParseFailure("HEALTHCHECK NONE takes no arguments");
      }
      return new Healthcheck(node.span(), line.original(), true, null, null, null, null, null, null);
    }
    if (!type.equals("CMD")) {
      throw ParseFailure.near("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)", line.args().get(0));
    }
    if (rest.isEmpty()) {
      throw new ParseFailure("Missing command after HEALTHCHECK CMD");
    }
    Integer retries = null;
    String retriesText = flags.string("retries");
    if (retriesText != null) {
      try {
        retries = Integer.valueOf(retriesText);
      } catch (NumberFormatException e) {
        throw ParseFailure.near("invalid value for --retries: \"" + retriesText + "\"", "--retries");
      }
      if (retries < 0) {
        throw ParseFailure.near("--retries cannot be negative (" + retries + ")", "--retries");
      }
    }
    return new Healthcheck(node.span(), line.original(), false, command(line, rest),
        duration(flags, "interval"), duration(flags, "timeout"), duration(flags, "start-period"),
        duration(flags, "start-interval"), retries);
  }

  private static String duration(FlagSet flags, String name) {
    String value = flags.string(name);
    if (value != null && !value.isEmpty() && !isDuration(value)) {
      throw ParseFailure.near("invalid duration for --" + name + ": \"" + value + "\"", "--" + name);
    }
    return value;
  }

  /**
   * Go's duration syntax as BuildKit accepts it, {@code 0} or one or more {@code <number><unit>}
   * with units ns, us, µs, ms, s, m, h ({@code ([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)}
   * repeated). By hand: no pattern to compile on the first parse; no alternative needs
   * backtracking, so a left-to-right scan is exact.
   */
  static boolean isDuration(String value) {
    if (value.equals("0")) {
      return true;
    }
    if (value.isEmpty()) {
      return false;
    }
    int i = 0;
    int n = value.length();
    while (i < n) {
      int digits = skipDigits(value, i);
      if (digits > i) {
        i = digits;
        if (i < n && value.charAt(i) == '.') {
          i = skipDigits(value, i + 1);
        }
      } else if (value.charAt(i) == '.' && skipDigits(value, i + 1) > i + 1) {
        i = skipDigits(value, i + 1);
      } else {
        return false;
      }
      if (value.startsWith("ns", i) || value.startsWith("us", i) || value.startsWith("\u00b5s", i)
          || value.startsWith("ms", i)) {
        i += 2;
      } else if (i < n && (value.charAt(i) == 's' || value.charAt(i) == 'm' || value.charAt(i) == 'h')) {
        i++;
      } else {
        return false;
      }
    }
    return true;
  }

  private static int skipDigits(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }
}
