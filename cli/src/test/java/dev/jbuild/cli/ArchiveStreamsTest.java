package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How save, export and build outputs tell a terminal on stdout from a file or a pipe. */
class ArchiveStreamsTest {
  @TempDir Path tmp;

  @Test
  void isTerminal_descriptorLinkToAPtyOrTty_isATerminal() throws Exception {
    assertThat(ArchiveStreams.isTerminal(Files.createSymbolicLink(tmp.resolve("1"), Path.of("/dev/pts/3")))).isTrue();
    assertThat(ArchiveStreams.isTerminal(Files.createSymbolicLink(tmp.resolve("2"), Path.of("/dev/tty1")))).isTrue();
  }

  @Test
  void isTerminal_fileOrPipeOrNoLink_isNot() throws Exception {
    assertThat(ArchiveStreams.isTerminal(Files.createSymbolicLink(tmp.resolve("1"), Path.of("/tmp/out.tar")))).isFalse();
    assertThat(ArchiveStreams.isTerminal(Files.createSymbolicLink(tmp.resolve("2"), Path.of("pipe:[1234]")))).isFalse();
    assertThat(ArchiveStreams.isTerminal(tmp.resolve("missing"))).isFalse();
  }
}
