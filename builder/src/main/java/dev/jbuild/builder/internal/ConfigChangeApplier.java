package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.expand.ShellLex;
import dev.jbuild.dockerfile.ir.Cmd;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.ir.Entrypoint;
import dev.jbuild.dockerfile.ir.Env;
import dev.jbuild.dockerfile.ir.Expose;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.Label;
import dev.jbuild.dockerfile.ir.Onbuild;
import dev.jbuild.dockerfile.ir.StopSignal;
import dev.jbuild.dockerfile.ir.User;
import dev.jbuild.dockerfile.ir.Volume;
import dev.jbuild.dockerfile.ir.Workdir;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Platform;
import java.util.List;

/**
 * Applies {@code --change} instructions ({@code docker import}/{@code commit} style) to a container config with
 * the builder's own instruction semantics. Public only for {@link dev.jbuild.builder.ConfigChanges}.
 */
public final class ConfigChangeApplier {
  private ConfigChangeApplier() {}

  /** See {@link dev.jbuild.builder.ConfigChanges#apply}. */
  public static ContainerConfig apply(ContainerConfig config, List<String> changes) throws BuildException {
    StageState state = new StageState("--change", ImageConfig.scratch(Platform.of("linux", "amd64")).withConfig(config),
        List.of());
    for (String change : changes) {
      String name = "--change \"" + change + "\"";
      Instruction instruction = parse(change, name);
      StepContext ctx = new StepContext(null, null, name, new ShellLex('\\'), null, null, null, null);
      try {
        if (instruction instanceof Workdir w) {
          String path = ctx.expand(w.path(), state.expansionEnv(), w);
          if (path.isEmpty()) {
            throw new BuildException(name + ": WORKDIR requires a path");
          }
          state.setContainerConfig(state.containerConfig().withWorkingDir(ImagePaths.join(state.workingDir(), path)));
        } else {
          new ConfigInstructions(ctx).apply(instruction, state);
        }
      } catch (BuildException e) {
        // The instruction sits on line 2, after the FROM that makes it parse; that line number means nothing here.
        throw new BuildException(e.getMessage().replace(name + ":2", name), e);
      }
    }
    return state.containerConfig();
  }

  private static Instruction parse(String change, String name) throws BuildException {
    Dockerfile parsed;
    try {
      parsed = DockerfileParser.parse("FROM scratch\n" + change, "--change");
    } catch (DockerfileSyntaxException e) {
      throw new BuildException(name + ": " + e.getMessage(), e);
    }
    List<Instruction> instructions = parsed.stages().isEmpty() ? List.of() : parsed.stages().get(0).instructions();
    if (parsed.stages().size() != 1 || instructions.size() != 1) {
      throw new BuildException(name + ": a --change holds exactly one instruction");
    }
    Instruction i = instructions.get(0);
    if (!(i instanceof Cmd || i instanceof Entrypoint || i instanceof Env || i instanceof Expose || i instanceof Label
        || i instanceof User || i instanceof Volume || i instanceof Workdir || i instanceof StopSignal
        || i instanceof Onbuild)) {
      throw new BuildException(name + ": only CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME"
          + " and WORKDIR can be applied as a change");
    }
    return i;
  }
}
