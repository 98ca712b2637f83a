package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDbTest {
  @TempDir Path tmp;

  private static final String PASSWD = "# users\nroot:x:0:0:root:/root:/bin/sh\nbroken line\n"
      + "app:x:1000:1001::/home/app:/bin/sh\nbad:x:notanumber:1::/:/bin/false\n";
  private static final String GROUP = "root:x:0:\nstaff:x:50:app,other\n";

  @Test
  void lookup_findsNumericFieldsAndSkipsMalformedLines() {
    assertThat(UserDb.lookup(PASSWD, "app", 2, 3)).containsExactly(1000, 1001);
    assertThat(UserDb.lookup(PASSWD, "bad", 2, 3)).isNull();
    assertThat(UserDb.lookup(PASSWD, "broken line", 2, 3)).isNull();
    assertThat(UserDb.lookup(GROUP, "staff", 2, 2)).containsExactly(50, 50);
  }

  @Test
  void numeric_isUnsigned32Bit() {
    assertThat(UserDb.numeric("4294967295")).isEqualTo(4294967295L);
    assertThat(UserDb.numeric("4294967296")).isNull();
    assertThat(UserDb.numeric("-1")).isNull();
    assertThat(UserDb.numeric("12a")).isNull();
  }

  @Test
  void resolve_allForms_againstAnImageTree() throws Exception {
    DirTree image = image(PASSWD, GROUP);
    List<String> warnings = new ArrayList<>();
    assertThat(UserDb.resolve("app", image, warnings::add, "D:1")).containsExactly(1000, 1001);
    assertThat(UserDb.resolve("app:staff", image, warnings::add, "D:1")).containsExactly(1000, 50);
    assertThat(UserDb.resolve("7:staff", image, warnings::add, "D:1")).containsExactly(7, 50);
    assertThat(UserDb.resolve(":staff", image, warnings::add, "D:1")).containsExactly(0, 50);
    assertThat(UserDb.resolve("7", image, warnings::add, "D:1")).containsExactly(7, 7);
    assertThat(UserDb.resolve("7:8", image, warnings::add, "D:1")).containsExactly(7, 8);
    assertThat(warnings).isEmpty();
    assertThat(UserDb.resolve("ghost:nogroup", image, warnings::add, "D:1")).containsExactly(0, 0);
    assertThat(warnings).hasSize(2);
  }

  @Test
  void resolve_passwdLinkOutOfTheImage_readsInsideIt_andCapsTheSize() throws Exception {
    Path host = tmp.resolve("host-passwd");
    Files.writeString(host, "evil:x:4242:4242::/:/bin/sh\n");
    Path root = Files.createDirectories(tmp.resolve("img/etc")).getParent();
    Files.createSymbolicLink(root.resolve("etc/passwd"), host);
    DirTree image = new DirTree(root, PatternMatcher.none(), true, "image");
    assertThatThrownBy(() -> UserDb.resolve("evil", image, w -> { }, "D:1")).hasMessageContaining("no /etc/passwd");
    Files.delete(root.resolve("etc/passwd"));
    try (var ch = java.nio.channels.FileChannel.open(root.resolve("etc/passwd"), java.nio.file.StandardOpenOption
        .CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      ch.position(UserDb.MAX_FILE_BYTES + 10); // X05: a huge file is refused, not parsed
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
    }
    // A tree is read as it was when first looked at (a build takes its trees as fixed), so a new one sees the change.
    DirTree changed = new DirTree(root, PatternMatcher.none(), true, "image");
    assertThatThrownBy(() -> UserDb.resolve("x", changed, w -> { }, "D:1")).hasMessageContaining("larger than");
  }

  private DirTree image(String passwd, String group) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc")).getParent();
    Files.writeString(root.resolve("etc/passwd"), passwd);
    Files.writeString(root.resolve("etc/group"), group);
    return new DirTree(root, PatternMatcher.none(), true, "image");
  }
}
