package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunInstructionTest {
  private static Run run(String line) throws Exception {
    return (Run) DockerfileParser.parse("FROM scratch\n" + line, "Dockerfile").stages().get(0).instructions().get(0);
  }

  @Test
  void command_shellForm_usesDefaultShell() throws Exception {
    assertThat(RunInstruction.command(run("RUN echo $HOME\n"), ContainerConfig.EMPTY))
        .containsExactly("/bin/sh", "-c", "echo $HOME");
  }

  @Test
  void command_shellForm_usesTheStagesShell() throws Exception {
    ContainerConfig c = ContainerConfig.EMPTY.withShell(List.of("/bin/bash", "-eu", "-c"));
    assertThat(RunInstruction.command(run("RUN echo hi\n"), c)).containsExactly("/bin/bash", "-eu", "-c", "echo hi");
  }

  @Test
  void command_execForm_isTakenAsWrittenWithoutShell() throws Exception {
    assertThat(RunInstruction.command(run("RUN [\"echo\", \"$HOME\"]\n"), ContainerConfig.EMPTY))
        .containsExactly("echo", "$HOME");
  }

  @Test
  void command_singleHeredocWithoutShebang_runsTheBodyInTheShell() throws Exception {
    assertThat(RunInstruction.command(run("RUN <<EOF\necho a\necho b\nEOF\n"), ContainerConfig.EMPTY))
        .containsExactly("/bin/sh", "-c", "echo a\necho b\n");
  }

  @Test
  void command_singleHeredocWithShebang_isExecutedDirectly() throws Exception {
    assertThat(RunInstruction.command(run("RUN <<EOF\n#!/bin/busybox sh\necho a\nEOF\n"), ContainerConfig.EMPTY))
        .containsExactly("/dev/pipes/EOF");
  }

  @Test
  void command_heredocAsInputOfACommand_givesTheShellTheWholeScript() throws Exception {
    assertThat(RunInstruction.command(run("RUN cat <<A > /a && cat <<'B' > /b\none $X\nA\ntwo $X\nB\n"),
        ContainerConfig.EMPTY))
        .containsExactly("/bin/sh", "-c", "cat <<A > /a && cat <<'B' > /b\none $X\nA\ntwo $X\nB");
  }

  @Test
  void environment_envWinsOverArg_andPathIsDefaulted() {
    ImageConfig config = ImageConfig.scratch(Platform.host())
        .withConfig(ContainerConfig.EMPTY.withEnv("A", "from-env"));
    StageState state = new StageState("s", config, List.of());
    state.declareArg("A", "from-arg");
    state.declareArg("B", "b");
    state.declareArg("UNSET", null);
    assertThat(RunInstruction.environment(state))
        .containsExactly("A=from-env", "B=b", RunInstruction.DEFAULT_PATH);
  }
}
