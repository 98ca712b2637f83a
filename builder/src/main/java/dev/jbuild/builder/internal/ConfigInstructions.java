package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Cmd;
import dev.jbuild.dockerfile.ir.Command;
import dev.jbuild.dockerfile.ir.Entrypoint;
import dev.jbuild.dockerfile.ir.Env;
import dev.jbuild.dockerfile.ir.Expose;
import dev.jbuild.dockerfile.ir.Healthcheck;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.KeyValue;
import dev.jbuild.dockerfile.ir.Label;
import dev.jbuild.dockerfile.ir.Maintainer;
import dev.jbuild.dockerfile.ir.Onbuild;
import dev.jbuild.dockerfile.ir.Shell;
import dev.jbuild.dockerfile.ir.StopSignal;
import dev.jbuild.dockerfile.ir.User;
import dev.jbuild.dockerfile.ir.Volume;
import dev.jbuild.oci.ContainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The instructions that change only the image config, never the filesystem. */
final class ConfigInstructions {
  private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private final StepContext ctx;

  ConfigInstructions(StepContext ctx) {
    this.ctx = ctx;
  }

  /** Applies a config-only instruction; returns false when {@code instruction} is not one. */
  boolean apply(Instruction instruction, StageState state) throws BuildException {
    ContainerConfig c = state.containerConfig();
    Map<String, String> env = state.expansionEnv();
    if (instruction instanceof Env e) {
      // Every pair is expanded with the variables as they were before the instruction: after
      // `ENV abc=hello` then `ENV abc=bye def=$abc`, def is "hello" (the Dockerfile reference's own example).
      for (KeyValue kv : e.pairs()) {
        String key = ctx.expand(kv.key(), env, e);
        c = state.containerConfig().withEnv(key, ctx.expand(kv.value(), env, e));
        state.setContainerConfig(c);
      }
    } else if (instruction instanceof Label l) {
      Map<String, String> labels = new LinkedHashMap<>();
      for (KeyValue kv : l.pairs()) {
        labels.put(ctx.expand(kv.key(), env, l), ctx.expand(kv.value(), env, l));
      }
      state.setContainerConfig(c.withLabels(labels));
    } else if (instruction instanceof User u) {
      state.setContainerConfig(c.withUser(ctx.expand(u.user(), env, u)));
    } else if (instruction instanceof Expose x) {
      TreeSet<String> ports = new TreeSet<>(c.exposedPorts());
      for (String p : ctx.expandAll(x.ports(), env, x)) {
        ports.addAll(ports(p, x));
      }
      state.setContainerConfig(c.withExposedPorts(ports));
    } else if (instruction instanceof Volume v) {
      TreeSet<String> volumes = new TreeSet<>(c.volumes());
      for (String p : ctx.expandAll(v.paths(), env, v)) {
        if (p.isBlank()) {
          throw new BuildException(ctx.where(v) + ": VOLUME specified can not be an empty string");
        }
        volumes.add(p);
      }
      state.setContainerConfig(c.withVolumes(volumes));
    } else if (instruction instanceof StopSignal s) {
      state.setContainerConfig(c.withStopSignal(ctx.expand(s.signal(), env, s)));
    } else if (instruction instanceof Maintainer m) {
      state.setConfig(state.config().withAuthor(m.name()));
    } else if (instruction instanceof Cmd cmd) {
      state.setContainerConfig(c.withCmd(commandLine(cmd.command(), c)));
      state.markCmdSet();
    } else if (instruction instanceof Entrypoint ep) {
      state.setContainerConfig(c.withEntrypoint(commandLine(ep.command(), c), !state.cmdSet()));
    } else if (instruction instanceof Shell sh) {
      if (sh.args().isEmpty()) {
        throw new BuildException(ctx.where(sh) + ": SHELL requires at least one argument");
      }
      state.setContainerConfig(c.withShell(sh.args()));
    } else if (instruction instanceof Healthcheck h) {
      state.setContainerConfig(c.withHealthcheck(healthcheck(h, c)));
    } else if (instruction instanceof Onbuild o) {
      List<String> triggers = new ArrayList<>(c.onBuild());
      triggers.add(o.trigger());
      state.setContainerConfig(c.withOnBuild(triggers));
    } else {
      return false;
    }
    return true;
  }

  /** Exec form as written; shell form wrapped in SHELL (default {@code /bin/sh -c}), unexpanded. */
  static List<String> commandLine(Command command, ContainerConfig c) {
    if (command.execForm()) {
      return command.args();
    }
    List<String> out = new ArrayList<>(c.shell() != null ? c.shell() : DEFAULT_SHELL);
    out.add(String.join(" ", command.args()));
    return out;
  }

  private List<String> ports(String spec, Instruction at) throws BuildException {
    String proto = "tcp";
    String range = spec;
    int slash = spec.indexOf('/');
    if (slash >= 0) {
      proto = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
      range = spec.substring(0, slash);
    }
    if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
      throw new BuildException(ctx.where(at) + ": invalid proto \"" + proto + "\" in EXPOSE " + spec);
    }
    String[] ends = range.split("-", -1);
    try {
      int lo = Integer.parseInt(ends[0]);
      int hi = ends.length == 2 ? Integer.parseInt(ends[1]) : lo;
      if (ends.length > 2 || lo < 0 || hi > 65535 || hi < lo) {
        throw new NumberFormatException();
      }
      List<String> out = new ArrayList<>();
      for (int p = lo; p <= hi; p++) {
        out.add(p + "/" + proto);
      }
      return out;
    } catch (NumberFormatException e) {
      throw new BuildException(ctx.where(at) + ": invalid port \"" + spec + "\" in EXPOSE");
    }
  }

  private ContainerConfig.Healthcheck healthcheck(Healthcheck h, ContainerConfig c) throws BuildException {
    if (h.none()) {
      return new ContainerConfig.Healthcheck(List.of("NONE"), null, null, null, null, null);
    }
    List<String> test = new ArrayList<>();
    if (h.command().execForm()) {
      test.add("CMD");
      test.addAll(h.command().args());
    } else {
      test.add("CMD-SHELL");
      test.add(String.join(" ", h.command().args()));
    }
    return new ContainerConfig.Healthcheck(test, duration(h.interval(), "interval", h),
        duration(h.timeout(), "timeout", h), duration(h.startPeriod(), "start-period", h),
        duration(h.startInterval(), "start-interval", h), h.retries());
  }

  /** Parses a Go duration such as {@code 1m30s}. */
  private Duration duration(String value, String flag, Instruction at) throws BuildException {
    if (value == null || value.isEmpty()) {
      return null;
    }
    Matcher m = DURATION_PART.matcher(value);
    int pos = 0;
    double nanos = 0;
    while (m.find() && m.start() == pos) {
      double n = Double.parseDouble(m.group(1));
      nanos += n * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      pos = m.end();
    }
    if (pos != value.length() || pos == 0) {
      throw new BuildException(ctx.where(at) + ": invalid duration \"" + value + "\" for --" + flag);
    }
    return Duration.ofNanos((long) nanos);
  }
}
