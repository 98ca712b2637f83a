package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.ContainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerRulesTest {
  @TempDir Path tmp;

  private static final ContainerConfig BOTH = ContainerConfig.EMPTY
      .withEntrypoint(List.of("/entry", "-x"), false).withCmd(List.of("default", "arg"));

  @Test
  void command_noArgs_entrypointThenCmd() throws Exception {
    assertThat(DockerRules.command(BOTH, null, List.of())).containsExactly("/entry", "-x", "default", "arg");
  }

  @Test
  void command_args_replaceCmdOnly() throws Exception {
    assertThat(DockerRules.command(BOTH, null, List.of("mine"))).containsExactly("/entry", "-x", "mine");
  }

  @Test
  void command_entrypointOption_replacesEntrypointAndDropsCmd() throws Exception {
    assertThat(DockerRules.command(BOTH, "/other", List.of())).containsExactly("/other");
    assertThat(DockerRules.command(BOTH, "/other", List.of("a"))).containsExactly("/other", "a");
  }

  @Test
  void command_emptyEntrypointOption_runsTheArgsAlone() throws Exception {
    assertThat(DockerRules.command(BOTH, "", List.of("sh"))).containsExactly("sh");
  }

  @Test
  void command_nothingToRun_failsLikeDocker() {
    assertThatThrownBy(() -> DockerRules.command(ContainerConfig.EMPTY, null, List.of()))
        .isInstanceOf(ContainerException.class).hasMessageStartingWith("no command specified");
    assertThatThrownBy(() -> DockerRules.command(BOTH, "", List.of()))
        .isInstanceOf(ContainerException.class);
  }

  @Test
  void env_imageThenOverrides_withPathHostnameAndTerm() {
    ContainerConfig image = ContainerConfig.EMPTY.withEnv("A", "1").withEnv("B", "2");
    assertThat(DockerRules.env(image, List.of("B=3", "C=4"), "box", true))
        .containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=box",
            "TERM=xterm", "A=1", "B=3", "C=4");
    assertThat(DockerRules.env(image.withEnv("PATH", "/bin"), List.of(), "h", false))
        .containsExactly("PATH=/bin", "HOSTNAME=h", "A=1", "B=2");
  }

  @Test
  void replaceOrAppend_replacesInPlace_appendsNew_bareKeyRemoves() {
    assertThat(DockerRules.replaceOrAppend(List.of("A=1", "B=2", "C=3"), List.of("B=x", "D=4", "C")))
        .containsExactly("A=1", "B=x", "D=4");
  }

  @Test
  void envEntries_keyAlone_takesTheHostValue_orStaysBareToRemoveIt() {
    assertThat(DockerRules.envEntries(List.of("A=x=y", "HOSTVAR", "UNSET"), Map.of("HOSTVAR", "v"), null))
        .containsExactly("A=x=y", "HOSTVAR=v", "UNSET");
  }

  @Test
  void envEntries_fileKeyAlone_unsetOnTheHost_isLeftOut() {
    assertThat(DockerRules.envEntries(List.of("HOSTVAR", "UNSET"), Map.of("HOSTVAR", "v"), "f"))
        .containsExactly("HOSTVAR=v");
  }

  @Test
  void env_bareKey_removesTheImagesValueAndDefaults() {
    ContainerConfig image = ContainerConfig.EMPTY.withEnv("A", "1").withEnv("B", "2");
    assertThat(DockerRules.env(image, List.of("A", "HOSTNAME", "C=3"), "box", false))
        .containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "B=2", "C=3");
  }

  @Test
  void envEntries_file_skipsCommentsAndBlankLines() {
    assertThat(DockerRules.envEntries(List.of("# comment", "", "  ", "K=v w", "  L=1"), Map.of(), "f"))
        .containsExactly("K=v w", "L=1");
  }

  @Test
  void envEntries_badKey_namesTheLine() {
    assertThatThrownBy(() -> DockerRules.envEntries(List.of("OK=1", "=nokey"), Map.of(), "vars.env"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vars.env:2");
  }

  @Test
  void exitCode_noRuncError_isTheContainersOwn() throws Exception {
    assertThat(DockerRules.exitCode(7, tmp.resolve("missing.log"))).isEqualTo(7);
    Path log = tmp.resolve("runc.log");
    Files.writeString(log, "{\"level\":\"warning\",\"msg\":\"something\"}\n");
    assertThat(DockerRules.exitCode(1, log)).isEqualTo(1);
  }

  @Test
  void exitCode_runcStartErrors_mapToDockersCodes() throws Exception {
    Path log = tmp.resolve("runc.log");
    Files.writeString(log, "{\"level\":\"error\",\"msg\":\"runc run failed: unable to start container process: exec: "
        + "\\\"nope\\\": executable file not found in $PATH\"}\n");
    assertThat(DockerRules.exitCode(1, log)).isEqualTo(127);
    Files.writeString(log, "{\"level\":\"error\",\"msg\":\"runc run failed: unable to start container process: exec: "
        + "\\\"/x.sh\\\": permission denied\"}\n");
    assertThat(DockerRules.exitCode(1, log)).isEqualTo(126);
    Files.writeString(log, "{\"level\":\"error\",\"msg\":\"runc run failed: unable to start container process: chdir"
        + " to cwd (\\\"/proc/self/fd/6\\\") set in config.json failed: no such file or directory\"}\n");
    assertThat(DockerRules.exitCode(1, log)).isEqualTo(125);
    assertThat(DockerRules.startError(log)).contains("chdir to cwd");
  }
}
