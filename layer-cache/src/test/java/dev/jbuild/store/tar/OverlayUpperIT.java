package dev.jbuild.store.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.store.apply.ApplyOptions;
import dev.jbuild.store.apply.LayerApplier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real overlayfs mount makes the whiteouts: changes through the merged view land in the upper dir as the kernel
 * writes them, the upper dir becomes a layer, and applying that layer to the lower tree gives the merged view.
 */
class OverlayUpperIT {
  @TempDir Path tmp;
  private Path merged;

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (merged != null) {
      run("umount", merged.toString());
    }
  }

  @Test
  void fromOverlayUpperdir_kernelWhiteoutsAndOpaqueDirs_replayOntoTheLowerTree() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting overlayfs here needs root");
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Files.createDirectories(lower.resolve("a"));
    Files.writeString(lower.resolve("a/keep"), "keep");
    Files.writeString(lower.resolve("a/gone"), "gone");
    Files.createDirectories(lower.resolve("dir"));
    Files.writeString(lower.resolve("dir/old"), "old");
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path mnt = Files.createDirectories(tmp.resolve("merged"));
    assumeTrue(run("mount", "-t", "overlay", "overlay", "-o",
        "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, mnt.toString()) == 0, "overlay mount failed");
    merged = mnt;

    Files.delete(mnt.resolve("a/gone"));                  // a whiteout: char device 0/0
    Files.delete(mnt.resolve("dir/old"));
    Files.delete(mnt.resolve("dir"));
    Files.createDirectories(mnt.resolve("dir"));          // an opaque directory
    Files.writeString(mnt.resolve("dir/new"), "new");
    Files.writeString(mnt.resolve("added"), "added");

    List<LayerEntry> entries = LayerTarWriter.fromOverlayUpperdir(upper);
    assertThat(entries).extracting(LayerEntry::path)
        .containsExactly("a", "a/.wh.gone", "added", "dir", "dir/.wh..wh..opq", "dir/new");
    assertThat(entries).allSatisfy(e -> assertThat(e.xattrs().keySet()).noneMatch(k -> k.contains(".overlay.")));

    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    LayerTarWriter.write(entries, tar, null);
    run("umount", mnt.toString());
    merged = null;
    LayerApplier.apply(new ByteArrayInputStream(tar.toByteArray()), lower, ApplyOptions.defaults());
    try (Stream<Path> walk = Files.walk(lower)) {
      assertThat(walk.map(p -> lower.relativize(p).toString()).filter(s -> !s.isEmpty()).sorted())
          .containsExactly("a", "a/keep", "added", "dir", "dir/new");
    }
    assertThat(Files.readString(lower.resolve("dir/new"))).isEqualTo("new");
  }
}
