package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUsersTest {
  @TempDir Path root;

  @BeforeEach
  void files() throws Exception {
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nshort:x:1234\n"
        + "emptygid:x:1300:\nbad:x:abc:0\ntwo:x\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "users:x:100:alice\nbrief:x:3456\nnogid:x:\nalice:x:1000\n");
  }

  @Test
  void resolve_shortPasswdLine_missingFieldsAreEmpty_gidZero() throws Exception {
    assertThat(ImageUsers.resolve(root, "short")).isEqualTo(new ImageUsers.Ids(1234, 0, List.of(0L)));
    assertThat(ImageUsers.resolve(root, "1234")).isEqualTo(new ImageUsers.Ids(1234, 0, List.of(0L)));
    assertThat(ImageUsers.resolve(root, "emptygid")).isEqualTo(new ImageUsers.Ids(1300, 0, List.of(0L)));
  }

  @Test
  void resolve_shortGroupLines_areGroupsWithoutMembers() throws Exception {
    assertThat(ImageUsers.resolve(root, "short:brief")).isEqualTo(new ImageUsers.Ids(1234, 3456, List.of(3456L)));
    assertThat(ImageUsers.resolve(root, "short:nogid")).isEqualTo(new ImageUsers.Ids(1234, 0, List.of(0L)));
    assertThat(ImageUsers.resolve(root, "alice")).isEqualTo(new ImageUsers.Ids(1000, 1000, List.of(1000L, 100L)));
  }

  @Test
  void resolve_lineWithoutAnIdOrWithAWrongOne_isRefused() {
    assertThatThrownBy(() -> ImageUsers.resolve(root, "two")).isInstanceOf(ContainerException.class)
        .hasMessage("unable to find user two: no matching entries in passwd file");
    assertThatThrownBy(() -> ImageUsers.resolve(root, "bad")).isInstanceOf(ContainerException.class)
        .hasMessage("invalid uid \"abc\" for user bad");
  }
}
