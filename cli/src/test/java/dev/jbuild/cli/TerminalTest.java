package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a descriptor is told to be a terminal (stdout for save, export and build outputs; stdin for run -it). */
class TerminalTest {
  @TempDir Path tmp;

  @Test
  void isTerminal_descriptorLinkToAPtyOrTty_isATerminal() throws Exception {
    assertThat(Terminal.isTerminal(Files.createSymbolicLink(tmp.resolve("1"), Path.of("/dev/pts/3")))).isTrue();
    assertThat(Terminal.isTerminal(Files.createSymbolicLink(tmp.resolve("2"), Path.of("/dev/tty1")))).isTrue();
  }

  @Test
  void isTerminal_fileOrPipeOrNoLink_isNot() throws Exception {
    assertThat(Terminal.isTerminal(Files.createSymbolicLink(tmp.resolve("1"), Path.of("/tmp/out.tar")))).isFalse();
    assertThat(Terminal.isTerminal(Files.createSymbolicLink(tmp.resolve("2"), Path.of("pipe:[1234]")))).isFalse();
    assertThat(Terminal.isTerminal(tmp.resolve("missing"))).isFalse();
  }
}
