package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class PrivateDirsTest {
  @Test
  void create_isA0700DirInMemoryNamedWithThePid_andDeleteRemovesIt() throws Exception {
    Path dir = PrivateDirs.create("jbuild-test-");
    try {
      assertThat(dir).isDirectory();
      if (Files.isWritable(Path.of("/dev/shm"))) {
        assertThat(dir.getParent()).isEqualTo(Path.of("/dev/shm"));
      }
      assertThat(dir.getFileName().toString()).startsWith("jbuild-test-" + ProcessHandle.current().pid() + "-");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      Files.writeString(dir.resolve("secret"), "x");
    } finally {
      PrivateDirs.delete(dir);
    }
    assertThat(dir).doesNotExist();
  }

  /** A jbuild killed outright leaves its dirs; the next one sweeps those whose process is gone, and only those. */
  @Test
  void create_sweepsDirsOfProcessesThatAreGone_keepsLiveOnes() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path first = PrivateDirs.create("jbuild-sweep-");
    Path parent = first.getParent();
    PrivateDirs.delete(first);
    Path dead = Files.createDirectory(parent.resolve("jbuild-sweep-" + gone.pid() + "-left"));
    Files.writeString(dead.resolve("config.json"), "{\"env\":[\"TOKEN=x\"]}");
    Path live = Files.createDirectory(parent.resolve("jbuild-sweep-1-live")); // pid 1 is always there
    Path notOurs = Files.createDirectory(parent.resolve("jbuild-sweep-notapid-x"));
    try {
      Path next = PrivateDirs.create("jbuild-sweep-");
      assertThat(dead).doesNotExist();
      assertThat(live).isDirectory();
      assertThat(notOurs).isDirectory();
      PrivateDirs.delete(next);
    } finally {
      PrivateDirs.delete(live);
      PrivateDirs.delete(notOurs);
      PrivateDirs.delete(dead);
    }
  }

  @Test
  void create_oddPrefix_isRefused() {
    assertThatThrownBy(() -> PrivateDirs.create("../x-")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrivateDirs.create("jbuild")).isInstanceOf(IllegalArgumentException.class);
  }
}
