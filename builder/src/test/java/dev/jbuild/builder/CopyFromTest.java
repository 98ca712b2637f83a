package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.testing.BaseImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY --from, --chown, --chmod, --exclude, --parents, --link and heredocs, checked in the layers written. */
class CopyFromTest {
  @TempDir Path tmp;
  private BuildFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void copyFrom_stageByNameAndIndex_copiesItsFinalFilesKeepingOwners() throws Exception {
    f.file("a.txt", "A").file("b.txt", "B");
    BuildResult r = f.build("FROM scratch AS build\nCOPY --chown=7:8 a.txt /out/a.txt\nCOPY b.txt /out/\n"
        + "FROM scratch\nCOPY --from=build /out /app\nCOPY --from=0 /out/b.txt /b\n");
    Map<String, BuildFixture.Entry> first = f.layer(f.manifest(r).layers().get(0));
    assertThat(first.keySet()).containsExactly("app/", "app/a.txt", "app/b.txt");
    assertThat(first.get("app/a.txt").content()).isEqualTo("A");
    assertThat(first.get("app/a.txt").uid()).isEqualTo(7);
    assertThat(first.get("app/a.txt").gid()).isEqualTo(8);
    assertThat(first.get("app/b.txt").uid()).isZero();
    assertThat(f.lastLayer(r).get("b").content()).isEqualTo("B");
  }

  /** A stage's hard links are hard links in its layer tree, and COPY --from keeps them as hard links. */
  @Test
  void copyFrom_stageWithHardLinks_keepsThemLinked() throws Exception {
    f.file("src/one.txt", "same\n");
    java.nio.file.Files.createLink(f.context.resolve("src/two.txt"), f.context.resolve("src/one.txt"));
    BuildResult r = f.build("FROM scratch AS build\nCOPY src /out\n"
        + "FROM scratch\nCOPY --from=build /out /app\nCOPY --from=build /out/two.txt /solo\n");
    java.util.List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    java.util.Map<String, String> kinds = new java.util.LinkedHashMap<>();
    try (java.io.InputStream in = f.store.blobs().open(layers.get(0).digest());
        org.apache.commons.compress.archivers.tar.TarArchiveInputStream tar =
            new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(in)) {
      for (org.apache.commons.compress.archivers.tar.TarArchiveEntry e = tar.getNextEntry(); e != null;
          e = tar.getNextEntry()) {
        kinds.put(e.getName(), e.isLink() ? "link " + e.getLinkName() : e.isDirectory() ? "dir" : "file");
      }
    }
    assertThat(kinds).containsExactly(java.util.Map.entry("app/", "dir"), java.util.Map.entry("app/one.txt", "file"),
        java.util.Map.entry("app/two.txt", "link app/one.txt"));
    assertThat(f.lastLayer(r).get("solo").content()).isEqualTo("same\n");
  }

  @Test
  void copyFrom_image_readsItsLayersWithOwnersAndModes() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    BuildResult r = f.build("FROM scratch\nCOPY --from=busybox:test /etc/passwd /home/app /x/\n");
    Map<String, BuildFixture.Entry> layer = f.lastLayer(r);
    assertThat(layer.get("x/passwd").content()).startsWith("root:x:0:0:");
    assertThat(layer.get("x/passwd").mode()).isEqualTo(0644);
    // The new destination is made by MkdirAll (0755, root), not with home/app's own owner and mode.
    assertThat(layer.get("x/").uid()).isZero();
    assertThat(layer.get("x/").mode()).isEqualTo(0755);
  }

  @Test
  void copyFrom_symlinkSource_isFollowedInsideTheImage() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    BuildResult r = f.build("FROM scratch\nCOPY --from=busybox:test /bin/sh /sh\n");
    BuildFixture.Entry sh = f.lastLayer(r).get("sh");
    assertThat(sh.link()).isNull();
    assertThat(sh.mode()).isEqualTo(0755);
    assertThat(Files.size(BaseImages.BUSYBOX)).isPositive();
  }

  @Test
  void copyFrom_missingImageOffline_namesIt() {
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY --from=nosuch:1 /a /a\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("Dockerfile:2").hasMessageContaining("nosuch:1");
  }

  @Test
  void copyFrom_untrustedImageWithEscapingLayer_neverWritesOutsideTheStore() throws Exception {
    // B16: a base whose layer names ../../../../tini; the layer tree extraction refuses it, nothing lands outside.
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("hello"), "victim");
    TestImages.singleLayer(f.store, "evil:1", List.of(TestImages.file("../../../../victim/tini", "pwn"),
        TestImages.file("ok.txt", "ok")));
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY --from=evil:1 /ok.txt /\n"))
        .isInstanceOf(BuildException.class);
    assertThat(Files.list(victim).map(p -> p.getFileName().toString()).toList()).containsExactly("hello");
  }

  @Test
  void chown_names_resolveThroughTheImagesPasswdAndGroup() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    f.file("a", "a");
    List<BuildEvent> events = new ArrayList<>();
    BuildResult r = f.build("FROM busybox:test\nCOPY --chown=app a /u/\nCOPY --chown=app:nogroup a /ug/\n"
        + "COPY --chown=:nogroup a /g/\nCOPY --chown=5 a /n/\nCOPY --chown=ghost a /ghost/\n", events::add);
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(owner(f.layer(layers.get(1)).get("u/a"))).isEqualTo("1000:1000");
    assertThat(owner(f.layer(layers.get(1)).get("u/"))).isEqualTo("1000:1000");
    assertThat(owner(f.layer(layers.get(2)).get("ug/a"))).isEqualTo("1000:65534");
    assertThat(owner(f.layer(layers.get(3)).get("g/a"))).isEqualTo("0:65534");
    assertThat(owner(f.layer(layers.get(4)).get("n/a"))).isEqualTo("5:5");
    assertThat(owner(f.layer(layers.get(5)).get("ghost/a"))).isEqualTo("0:0");
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("no user \"ghost\""));
  }

  @Test
  void chown_passwdLinkedToAHostFile_isResolvedInTheImageNotOnTheHost() throws Exception {
    // X04/B-group: /etc/passwd -> <host file with user evil>; the host file must not be read.
    Path host = tmp.resolve("hostpasswd");
    Files.writeString(host, "evil:x:4242:4242::/:/bin/sh\n");
    Files.createDirectories(f.context.resolve("etc"));
    Files.createSymbolicLink(f.context.resolve("etc/passwd"), host);
    f.file("a", "a");
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY etc /etc\nCOPY --chown=evil a /a\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("no /etc/passwd");
  }

  @Test
  void chmod_octalAndSymbolic_applyToFilesAndDirectories() throws Exception {
    f.file("d/x.sh", "x").file("d/sub/y", "y");
    Files.setPosixFilePermissions(f.context.resolve("d/x.sh"), java.nio.file.attribute.PosixFilePermissions
        .fromString("rw-rw-r--"));
    Files.setPosixFilePermissions(f.context.resolve("d/sub/y"), java.nio.file.attribute.PosixFilePermissions
        .fromString("rwxrw-r--"));
    BuildResult r = f.build("FROM scratch\nCOPY --chmod=u+x,g-w d /s/\nCOPY --chmod=a=rX d /x/\n"
        + "COPY --chmod=0600 d/x.sh /o\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0)).get("s/x.sh").mode()).isEqualTo(0744);
    assertThat(f.layer(layers.get(0)).get("s/sub/y").mode()).isEqualTo(0744);
    assertThat(f.layer(layers.get(1)).get("x/x.sh").mode()).isEqualTo(0444);
    assertThat(f.layer(layers.get(1)).get("x/sub/y").mode()).isEqualTo(0555);
    assertThat(f.layer(layers.get(1)).get("x/sub/").mode()).isEqualTo(0555);
    assertThat(f.layer(layers.get(2)).get("o").mode()).isEqualTo(0600);
  }

  @Test
  void chmod_invalid_isRefusedWithTheLine() {
    assertThatThrownBy(() -> f.file("a", "a").build("FROM scratch\nCOPY --chmod=u+q a /a\n"))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: --chmod=u+q");
  }

  @Test
  void exclude_patterns_leaveMatchesOut() throws Exception {
    f.file("src/a.txt", "a").file("src/b.md", "b").file("src/deep/c.md", "c").file("src/deep/d.txt", "d")
        .file("src/deep/e.md", "e").file("top.md", "t");
    // Patterns are relative to the copied directory; * stays within one component, ** spans them.
    BuildResult r = f.build("FROM scratch\nCOPY --exclude=*.md --exclude=deep/d.txt src /out/\n"
        + "COPY --exclude=**/*.md --exclude=!deep/e.md src top.md /all/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0)).keySet()).containsExactly("out/", "out/a.txt", "out/deep/", "out/deep/c.md",
        "out/deep/e.md");
    assertThat(f.layer(layers.get(1)).keySet()).containsExactly("all/", "all/a.txt", "all/deep/", "all/deep/d.txt",
        "all/deep/e.md");
  }

  @Test
  void parents_keepTheSourcePathBelowThePivot() throws Exception {
    f.file("x/y/a.txt", "a").file("x/z/b.txt", "b");
    BuildResult r = f.build("FROM scratch\nCOPY --parents x/y/a.txt x/./z/b.txt /dst/\n");
    assertThat(f.lastLayer(r).keySet()).containsExactly("dst/", "dst/x/", "dst/x/y/", "dst/x/y/a.txt", "dst/z/",
        "dst/z/b.txt");
  }

  /**
   * The directories --parents makes between the destination and the file take their source directories' modes,
   * with --chmod applied, as BuildKit's createParentDirs makes them; the destination itself is 0755.
   */
  @Test
  void parents_directoriesTakeTheirSourceModes() throws Exception {
    f.file("a/b/f", "f");
    Files.setPosixFilePermissions(f.context.resolve("a"), java.nio.file.attribute.PosixFilePermissions
        .fromString("rwx------"));
    Files.setPosixFilePermissions(f.context.resolve("a/b"), java.nio.file.attribute.PosixFilePermissions
        .fromString("rwxr-x---"));
    BuildResult r = f.build("FROM scratch\nCOPY --parents a/b/f /p/\nCOPY --parents --chmod=755 a/b/f /q/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    Map<String, BuildFixture.Entry> plain = f.layer(layers.get(0));
    assertThat(plain.get("p/").mode()).isEqualTo(0755);
    assertThat(plain.get("p/a/").mode()).isEqualTo(0700);
    assertThat(plain.get("p/a/b/").mode()).isEqualTo(0750);
    Map<String, BuildFixture.Entry> chmod = f.layer(layers.get(1));
    assertThat(chmod.get("q/a/").mode()).isEqualTo(0755);
    assertThat(chmod.get("q/a/b/f").mode()).isEqualTo(0755);
  }

  @Test
  void link_writesParentsFreshAndDoesNotFollowTheImagesLinks() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    f.file("a", "a");
    BuildResult r = f.build("FROM busybox:test\nCOPY a /tmp/\nCOPY --link a /tmp/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(1)).get("tmp/").mode()).isEqualTo(01777);
    assertThat(f.layer(layers.get(2)).get("tmp/").mode()).isEqualTo(0755);
  }

  @Test
  void destination_throughAnImageSymlink_landsAtItsTargetInsideTheImage() throws Exception {
    // B17: /etc/hbase -> /usr/local/hbase/ in the image; also a dangling /src -> /symlink.
    Files.createDirectories(f.context.resolve("base/usr/local/hbase"));
    Files.createDirectories(f.context.resolve("base/etc"));
    Files.createSymbolicLink(f.context.resolve("base/etc/hbase"), Path.of("/usr/local/hbase/"));
    Files.createSymbolicLink(f.context.resolve("base/src"), Path.of("/symlink"));
    f.file("x", "x");
    BuildResult r = f.build("FROM scratch\nCOPY base /\nCOPY x /etc/hbase/\nCOPY x /src\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(1)).keySet()).containsExactly("usr/", "usr/local/", "usr/local/hbase/",
        "usr/local/hbase/x");
    assertThat(f.layer(layers.get(2)).keySet()).containsExactly("symlink");
  }

  @Test
  void heredoc_expandsUnlessTheDelimiterIsQuoted() throws Exception {
    BuildResult r = f.build("FROM scratch\nENV NAME=world\nCOPY <<EOF /hello\nhi $NAME \"q\"\nEOF\n"
        + "COPY <<'EOF' /raw\nhi $NAME\nEOF\nCOPY --chmod=755 <<one <<two /dir/\n1\none\n2\ntwo\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    assertThat(f.layer(layers.get(0)).get("hello").content()).isEqualTo("hi world \"q\"\n");
    assertThat(f.layer(layers.get(0)).get("hello").mode()).isEqualTo(0644);
    assertThat(f.layer(layers.get(1)).get("raw").content()).isEqualTo("hi $NAME\n");
    assertThat(f.layer(layers.get(2)).get("dir/one").content()).isEqualTo("1\n");
    assertThat(f.layer(layers.get(2)).get("dir/two").mode()).isEqualTo(0755);
  }

  @Test
  void wildcards_matchingNothing_copyNothing_butAMissingPathFails() throws Exception {
    BuildResult r = f.build("FROM scratch\nCOPY *.none /x/\n");
    assertThat(f.lastLayer(r)).isEmpty();
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY missing.txt /x/\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("\"missing.txt\": not found");
  }

  private static String owner(BuildFixture.Entry e) {
    return e.uid() + ":" + e.gid();
  }
}
