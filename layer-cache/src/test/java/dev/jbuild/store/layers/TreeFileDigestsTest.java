package dev.jbuild.store.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Digest;
import dev.jbuild.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeFileDigestsTest {
  @TempDir Path dir;
  Store store;
  Path tree;

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(dir.resolve("store"), Duration.ZERO);
    tree = Files.createDirectories(store.root().resolve("snapshots/sha256/" + "ab".repeat(32)));
    Files.createDirectories(tree.resolve("rootfs/app"));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private static Digest sha(String s) {
    return Digest.sha256Of(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void digest_ofATreeFile_isRememberedBesideTheTree_andUsedByTheNextReader() throws Exception {
    Path file = Files.writeString(tree.resolve("rootfs/app/my file.txt"), "one");
    TreeFileDigests first = TreeFileDigests.of(store);
    assertThat(first.digest(file)).isEqualTo(sha("one"));
    first.save();
    assertThat(tree.resolve(TreeFileDigests.FILE)).content().contains(sha("one").toString() + " app/my file.txt");

    // Same size and mtime, different bytes: only a record can answer "one" now, which shows it is used.
    FileTime mtime = Files.getLastModifiedTime(file);
    Files.writeString(file, "two");
    Files.setLastModifiedTime(file, mtime);
    assertThat(TreeFileDigests.of(store).digest(file)).isEqualTo(sha("one"));
  }

  @Test
  void digest_aChangedStamp_readsTheFileAgain() throws Exception {
    Path file = Files.writeString(tree.resolve("rootfs/app/f"), "one");
    TreeFileDigests first = TreeFileDigests.of(store);
    first.digest(file);
    first.save();
    Files.writeString(file, "three");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(TreeFileDigests.of(store).digest(file)).isEqualTo(sha("three"));
  }

  @Test
  void digest_outsideTheTrees_isReadEveryTime_andNothingIsWritten() throws Exception {
    Path elsewhere = Files.writeString(dir.resolve("f"), "x");
    Path notATree = Files.createDirectories(store.root().resolve("snapshots/sha256/not-hex/rootfs"));
    Path odd = Files.writeString(notATree.resolve("g"), "y");
    TreeFileDigests d = TreeFileDigests.of(store);
    assertThat(d.digest(elsewhere)).isEqualTo(sha("x"));
    assertThat(d.digest(odd)).isEqualTo(sha("y"));
    d.save();
    assertThat(notATree.getParent().resolve(TreeFileDigests.FILE)).doesNotExist();
    assertThat(tree.resolve(TreeFileDigests.FILE)).doesNotExist();
  }

  @Test
  void digest_aNameWithALineBreak_isNeverRecorded_soItCannotPoseAsAnotherFile() throws Exception {
    // A record is a line, and reading lines also splits at CR: "app/a\rb" would come back as a record for "app/a".
    Path odd = Files.writeString(tree.resolve("rootfs/app/a\rb"), "odd");
    Path plain = Files.writeString(tree.resolve("rootfs/app/a"), "odd");
    Files.setLastModifiedTime(odd, Files.getLastModifiedTime(plain));
    TreeFileDigests d = TreeFileDigests.of(store);
    assertThat(d.digest(odd)).isEqualTo(sha("odd"));
    d.save();
    assertThat(tree.resolve(TreeFileDigests.FILE)).doesNotExist();
    Files.writeString(plain, "new"); // same size, mtime restored: only a record could answer "odd" now
    Files.setLastModifiedTime(plain, Files.getLastModifiedTime(odd));
    assertThat(TreeFileDigests.of(store).digest(plain)).isEqualTo(sha("new"));
  }

  @Test
  void digest_damagedRecords_areIgnored() throws Exception {
    Path file = Files.writeString(tree.resolve("rootfs/app/f"), "one");
    Files.writeString(tree.resolve(TreeFileDigests.FILE), "garbage\n3 x sha256:zz app/f\n");
    assertThat(TreeFileDigests.of(store).digest(file)).isEqualTo(sha("one"));
  }
}
