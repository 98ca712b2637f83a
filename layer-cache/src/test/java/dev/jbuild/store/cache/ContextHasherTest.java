package dev.jbuild.store.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextHasherTest {
  /** A clock a minute ahead, so that files written by the test are not "racy" (just modified). */
  private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));

  @TempDir Path dir;
  private Path storeRoot;
  private Path ctx;

  @BeforeEach
  void context() throws IOException {
    storeRoot = dir.resolve("store");
    ctx = Files.createDirectories(dir.resolve("ctx"));
    write("Dockerfile", "FROM scratch\nCOPY . /\n");
    write("src/main.c", "int main() { return 0; }\n");
    write("src/util.c", "void util() {}\n");
    write("README", "hello\n");
    Files.createSymbolicLink(ctx.resolve("src/current"), Path.of("main.c"));
  }

  private void write(String rel, String content) throws IOException {
    Path p = ctx.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private ContextHasher open() throws Exception {
    return ContextHasher.open(storeRoot, ctx, LATER);
  }

  /** What a COPY of the whole context would select: every entry with its own mode and owner. */
  private List<SourceItem> items() throws IOException {
    List<SourceItem> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(ctx)) {
      for (Path p : walk.filter(p -> !p.equals(ctx)).sorted().toList()) {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        String dest = ctx.relativize(p).toString();
        int mode = (Integer) a.get("mode");
        long uid = (Integer) a.get("uid");
        long gid = (Integer) a.get("gid");
        if (Files.isSymbolicLink(p)) {
          out.add(SourceItem.symlink(dest, Files.readSymbolicLink(p).toString(), uid, gid));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(SourceItem.directory(dest, mode, uid, gid));
        } else {
          out.add(SourceItem.file(dest, p, mode, uid, gid));
        }
      }
    }
    return out;
  }

  @Test
  void fileDigest_regularFile_isTheSha256OfItsContent() throws Exception {
    ContextHasher h = open();

    assertThat(h.fileDigest(Path.of("src/main.c")))
        .isEqualTo(Digest.sha256Of("int main() { return 0; }\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(h.fileDigest(ctx.resolve("README")))
        .isEqualTo(Digest.sha256Of("hello\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void treeDigest_unchangedTree_secondHashReadsNoFile() throws Exception {
    ContextHasher first = open();
    Digest d1 = first.treeDigest(items());
    assertThat(first.stats().filesRead()).isEqualTo(4);
    // In the same run a file is not read twice either.
    assertThat(first.treeDigest(items())).isEqualTo(d1);
    assertThat(first.stats().filesRead()).isEqualTo(4);
    first.save();

    ContextHasher second = open();
    Digest d2 = second.treeDigest(items());

    assertThat(d2).isEqualTo(d1);
    assertThat(second.stats()).isEqualTo(new ContextHasher.Stats(0, 4, 0, 0));
  }

  @Test
  void treeDigest_oneFileRewrittenSameSize_rereadsOnlyThatFile() throws Exception {
    ContextHasher first = open();
    Digest before = first.treeDigest(items());
    first.save();
    FileTime mtime = Files.getLastModifiedTime(ctx.resolve("src/util.c"));
    write("src/util.c", "void utik() {}\n");
    Files.setLastModifiedTime(ctx.resolve("src/util.c"), mtime); // even with the old mtime: ctime moved

    ContextHasher second = open();
    Digest after = second.treeDigest(items());

    assertThat(after).isNotEqualTo(before);
    assertThat(second.stats().filesRead()).isEqualTo(1);
    assertThat(second.stats().statHits()).isEqualTo(3);
    assertThat(second.stats().bytesRead()).isEqualTo("void utik() {}\n".length());
  }

  @Test
  void treeDigest_mtimeOnlyChanged_sameDigestButFileReread() throws Exception {
    ContextHasher first = open();
    Digest before = first.treeDigest(items());
    first.save();
    Files.setLastModifiedTime(ctx.resolve("README"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));

    ContextHasher second = open();
    Digest after = second.treeDigest(items());

    assertThat(after).isEqualTo(before);
    assertThat(second.stats().filesRead()).isEqualTo(1);
  }

  @Test
  void treeDigest_chmod_changesDigest() throws Exception {
    Digest before = open().treeDigest(items());
    Files.setPosixFilePermissions(ctx.resolve("src/main.c"), PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(open().treeDigest(items())).isNotEqualTo(before);
  }

  @Test
  void treeDigest_rename_changesDigest() throws Exception {
    Digest before = open().treeDigest(items());
    Files.move(ctx.resolve("README"), ctx.resolve("README.md"));

    assertThat(open().treeDigest(items())).isNotEqualTo(before);
  }

  @Test
  void treeDigest_symlinkTargetChanged_changesDigest() throws Exception {
    Digest before = open().treeDigest(items());
    Files.delete(ctx.resolve("src/current"));
    Files.createSymbolicLink(ctx.resolve("src/current"), Path.of("util.c"));

    assertThat(open().treeDigest(items())).isNotEqualTo(before);
  }

  @Test
  void treeDigest_ownerOrTypeChanged_changesDigest() throws Exception {
    ContextHasher h = open();
    Path main = ctx.resolve("src/main.c");
    Digest base = h.treeDigest(List.of(SourceItem.file("main.c", main, 0644, 0, 0)));

    assertThat(h.treeDigest(List.of(SourceItem.file("main.c", main, 0644, 1000, 0)))).isNotEqualTo(base);
    assertThat(h.treeDigest(List.of(SourceItem.file("main.c", main, 0644, 0, 1000)))).isNotEqualTo(base);
    assertThat(h.treeDigest(List.of(SourceItem.directory("main.c", 0644, 0, 0)))).isNotEqualTo(base);
    assertThat(h.treeDigest(List.of(SourceItem.symlink("main.c", "x", 0, 0))))
        .isNotEqualTo(h.treeDigest(List.of(SourceItem.symlink("main.c", "y", 0, 0))));
    // Type bits of the mode are not "mode bits that survive --chmod"; only 07777 counts.
    assertThat(h.treeDigest(List.of(SourceItem.file("main.c", main, 0100644, 0, 0)))).isEqualTo(base);
    // The order the caller lists distinct paths in does not matter.
    Path util = ctx.resolve("src/util.c");
    SourceItem a = SourceItem.file("a", main, 0644, 0, 0);
    SourceItem b = SourceItem.file("b", util, 0644, 0, 0);
    assertThat(h.treeDigest(List.of(a, b))).isEqualTo(h.treeDigest(List.of(b, a)));
  }

  @Test
  void fileDigest_fileJustModified_hashedButNotRemembered() throws Exception {
    ContextHasher now = ContextHasher.open(storeRoot, ctx, Clock.systemUTC());
    write("fresh", "new content\n");

    Digest d = now.fileDigest(Path.of("fresh"));
    now.fileDigest(Path.of("fresh"));

    assertThat(d).isEqualTo(Digest.sha256Of("new content\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(now.stats()).isEqualTo(new ContextHasher.Stats(2, 0, 24, 2));
  }

  @Test
  void save_keepsOnlyFilesLookedUpInThisRun() throws Exception {
    ContextHasher first = open();
    first.fileDigest(Path.of("README"));
    first.fileDigest(Path.of("Dockerfile"));
    first.save();
    ContextHasher second = open();
    second.fileDigest(Path.of("README"));
    second.save();

    ContextHasher third = open();
    third.fileDigest(Path.of("README"));
    third.fileDigest(Path.of("Dockerfile"));

    assertThat(third.stats().statHits()).isEqualTo(1);
    assertThat(third.stats().filesRead()).isEqualTo(1);
  }

  @Test
  void open_damagedStatFile_ignoredAndEverythingHashedAgain() throws Exception {
    ContextHasher first = open();
    Digest d = first.treeDigest(items());
    first.save();
    Path statFile;
    try (Stream<Path> files = Files.list(storeRoot.resolve("cache/stat"))) {
      statFile = files.findFirst().orElseThrow();
    }
    assertThat(statFile.getFileName().toString())
        .isEqualTo(Digest.sha256Of(ctx.toRealPath().toString().getBytes(StandardCharsets.UTF_8)).hex());
    byte[] bytes = Files.readAllBytes(statFile);
    bytes[bytes.length / 2] ^= 1;
    Files.write(statFile, bytes);

    ContextHasher second = open();

    assertThat(second.treeDigest(items())).isEqualTo(d);
    assertThat(second.stats().filesRead()).isEqualTo(4);
  }

  @Test
  void fileDigest_pathsOutsideTheContext_refused() throws Exception {
    Files.writeString(dir.resolve("secret"), "s3cret");
    Files.createSymbolicLink(ctx.resolve("out"), dir);
    Files.createSymbolicLink(ctx.resolve("secretlink"), dir.resolve("secret"));
    ContextHasher h = open();

    assertThatThrownBy(() -> h.fileDigest(Path.of("../secret"))).hasMessageContaining("outside the build context");
    assertThatThrownBy(() -> h.fileDigest(dir.resolve("secret"))).hasMessageContaining("outside the build context");
    assertThatThrownBy(() -> h.fileDigest(Path.of("out/secret"))).hasMessageContaining("goes through a symlink");
    assertThatThrownBy(() -> h.fileDigest(Path.of("secretlink"))).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> h.fileDigest(Path.of("src"))).hasMessageContaining("not a regular file");
    assertThat(h.stats().filesRead()).isZero();
  }

  @Test
  void sourceItem_inconsistentFields_rejected() {
    Path p = ctx.resolve("README");
    assertThatThrownBy(() -> new SourceItem("a", SourceItem.Type.FILE, null, 0644, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SourceItem("a", SourceItem.Type.DIRECTORY, p, 0755, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SourceItem("a", SourceItem.Type.SYMLINK, null, 0777, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SourceItem.file("a", p, 0644, -1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clear_removesStatCaches() throws Exception {
    ContextHasher first = open();
    first.treeDigest(items());
    first.save();

    BuildCache.open(storeRoot).clear();

    ContextHasher second = open();
    second.treeDigest(items());
    assertThat(second.stats().filesRead()).isEqualTo(4);
  }
}
