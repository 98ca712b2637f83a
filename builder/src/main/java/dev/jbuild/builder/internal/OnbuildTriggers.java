package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * ONBUILD: the triggers a base image carries run first in the stage that builds on it, as docker does, and the new
 * image does not carry them on.
 */
final class OnbuildTriggers {
  private OnbuildTriggers() {}

  /** Parses and removes the base's triggers from {@code state}; empty when it has none. */
  static List<Instruction> take(StageState state, StepContext ctx, Stage stage) throws BuildException {
    List<String> triggers = state.containerConfig().onBuild();
    if (triggers.isEmpty()) {
      return List.of();
    }
    List<Instruction> out = new ArrayList<>();
    String where = ctx.dockerfileName() + ":" + stage.from().span().startLine();
    for (String trigger : triggers) {
      Dockerfile parsed;
      try {
        parsed = DockerfileParser.parse("FROM scratch\n" + trigger + "\n", "ONBUILD trigger of the base image");
      } catch (DockerfileException e) {
        throw new BuildException(where + ": invalid ONBUILD trigger \"" + trigger + "\" in the base image: "
            + e.getMessage(), e);
      }
      if (parsed.stages().size() != 1 || parsed.stages().get(0).instructions().size() != 1) {
        throw new BuildException(where + ": invalid ONBUILD trigger \"" + trigger + "\" in the base image");
      }
      Instruction instruction = parsed.stages().get(0).instructions().get(0);
      ctx.markTrigger(instruction, stage.from().span().startLine(), trigger);
      out.add(instruction);
    }
    state.setContainerConfig(state.containerConfig().withOnBuild(List.of()));
    return out;
  }
}
