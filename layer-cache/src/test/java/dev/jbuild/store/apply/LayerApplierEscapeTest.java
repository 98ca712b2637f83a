package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CASES.md group L, L01-L20: names, symlinks and hard links that try to leave the root. */
class LayerApplierEscapeTest {
  @TempDir Path tmp;
  VictimDir v;

  @BeforeEach
  void setUp() throws Exception {
    v = new VictimDir(tmp);
  }

  static Object ino(Path p) throws Exception {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void apply_L01_dotDotName_rejected() throws Exception {
    v.assertRejected(new TarBuilder().file("../victim/dotdot", "x").bytes()).hasMessageContaining("climbs out");
    v.assertIntact();
  }

  @Test
  void apply_L02_slashDotDotName_rejected() throws Exception {
    v.assertRejected(new TarBuilder().file("/../victim/slash-dotdot", "x").bytes())
        .hasMessageContaining("/../victim/slash-dotdot");
    v.assertIntact();
  }

  @Test
  void apply_L03_parentEntries_rejectedAndNothingCreated() throws Exception {
    for (String name : List.of("..", "../pwned", "../../pwned")) {
      v.assertRejected(new TarBuilder().file(name, "pwned").bytes()).hasMessageContaining("climbs out");
    }
    v.assertIntact();
    assertThat(tmp.getParent().resolve("pwned")).doesNotExist();
  }

  @Test
  void apply_L04_absoluteName_landsInRoot() throws Exception {
    byte[] host = Files.readAllBytes(Path.of("/etc/passwd"));
    v.apply(new TarBuilder().file("/etc/passwd", "root:x:0:0::/:/bin/sh\n").bytes());
    assertThat(v.dest.resolve("etc/passwd")).hasContent("root:x:0:0::/:/bin/sh");
    assertThat(Files.readAllBytes(Path.of("/etc/passwd"))).isEqualTo(host);
    v.assertIntact();
  }

  @Test
  void apply_L05_absoluteSymlinkParent_resolvedInRoot() throws Exception {
    String name = "unbroken-" + UUID.randomUUID();
    v.apply(new TarBuilder().dir("etc").symlink("localetc", "/etc").file("/localetc/" + name, "x").bytes());
    assertThat(v.dest.resolve("etc/" + name)).hasContent("x");
    assertThat(Path.of("/etc/" + name)).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L06_symlinkToVictim_neverWrittenThrough() throws Exception {
    v.assertRejected(new TarBuilder().symlink("dir/loophole", "../../victim")
        .file("dir/loophole/newdir/newfile", "x").bytes()).hasMessageContaining("escapes the root");
    v.assertIntact();
  }

  @Test
  void apply_L07_twoHopSymlinkChain_neverEscapes() throws Exception {
    v.assertRejected(new TarBuilder().dir("inner").symlink("inner/go_up", "..")
        .symlink("inner/go_up/escape", "../victim").file("inner/go_up/escape/newfile", "x").bytes())
        .hasMessageContaining("inner/go_up/escape/newfile");
    assertThat(v.victim.resolve("newfile")).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L08_symlinkOverridesDirectory_hostTmpNeverWritten() throws Exception {
    String x = "breakout-" + UUID.randomUUID();
    TarBuilder t = new TarBuilder().dir("foo");
    for (int i = 0; i < 3; i++) {
      t.file("foo/tmp/" + x, "" + i);
    }
    t.symlink("foo", "/");
    for (int i = 3; i < 6; i++) {
      t.file("foo/tmp/" + x, "" + i);
    }
    t.dir("foo");
    for (int i = 6; i < 9; i++) {
      t.file("foo/tmp/" + x, "" + i);
    }
    v.apply(t.bytes());
    assertThat(Path.of("/tmp/" + x)).doesNotExist();
    assertThat(v.dest.resolve("foo")).isDirectory();
    assertThat(v.dest.resolve("foo/tmp/" + x)).hasContent("8");
    assertThat(v.dest.resolve("tmp/" + x)).hasContent("5"); // through foo -> / re-rooted: still inside
    v.assertIntact();
  }

  @Test
  void apply_L09_hardlinkOutOfRoot_rejectedNoReadLeak() throws Exception {
    v.assertRejected(new TarBuilder().hardlink("dotdot", "../victim/hello").bytes()).hasMessageContaining("climbs");
    v.assertRejected(new TarBuilder().hardlink("slash-dotdot", "/../victim/hello").bytes())
        .hasMessageContaining("climbs");
    assertThat(v.dest.resolve("dotdot")).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L10_hardlinkToVictimDirectory_allSixSubCasesRejected() throws Exception {
    List<byte[]> cases = List.of(
        new TarBuilder().hardlink("dotdot", "../victim/hello").bytes(),
        new TarBuilder().hardlink("slash-dotdot", "/../victim/hello").bytes(),
        new TarBuilder().hardlink("loophole-victim", "../victim").file("loophole-victim/file", "x").bytes(),
        new TarBuilder().hardlink("loophole-victim", "../victim").hardlink("symlink", "loophole-victim/hello").bytes(),
        new TarBuilder().hardlink("loophole-victim", "../victim").symlink("symlink", "loophole-victim/hello").bytes(),
        new TarBuilder().hardlink("loophole-victim", "../victim").file("loophole-victim", "x").bytes());
    for (byte[] tar : cases) {
      v.assertRejected(tar);
      v.assertIntact();
    }
  }

  @Test
  void apply_L11_siblingWithDestPrefix_rejected() throws Exception {
    Path evil = Files.createDirectory(v.extra("dest-evil"));
    Files.writeString(evil.resolve("secret"), "evil secret");
    v.assertRejected(new TarBuilder().hardlink("grab", "../dest-evil/secret").bytes());
    assertThat(v.dest.resolve("grab")).doesNotExist();
    assertThat(Files.getAttribute(evil.resolve("secret"), "unix:nlink")).isEqualTo(1);
    v.assertIntact();
  }

  @Test
  void apply_L12_hardlinkThroughEscapingSymlink_rejectedButInRootChainLinks() throws Exception {
    // Pinned policy: a relative link climbing above the root is an error (containerd would clamp it to the root).
    v.assertRejected(new TarBuilder().dir("etc").file("etc/passwd", "in-root")
        .symlink("breakouts/d1", "../../etc").hardlink("breakouts/mypasswd", "/breakouts/d1/passwd").bytes())
        .hasMessageContaining("escapes the root");
    v.assertIntact();
    LayerApplier.deleteTree(v.dest);
    Files.createDirectory(v.dest);
    v.apply(new TarBuilder().dir("etc").file("etc/passwd", "in-root").symlink("breakouts/d1", "../etc")
        .hardlink("breakouts/mypasswd", "/breakouts/d1/passwd").bytes());
    assertThat(ino(v.dest.resolve("breakouts/mypasswd"))).isEqualTo(ino(v.dest.resolve("etc/passwd")));
    v.assertIntact();
  }

  @Test
  void apply_L13_modeOnLinkToHostFile_neverChmodsHost() throws Exception {
    Path host = v.extra("hostfile");
    Files.writeString(host, "host");
    Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("r--------"));
    List<byte[]> cases = List.of(
        new TarBuilder().symlink("ep", host.toString()).hardlink("sketchylink", "ep", 0777).bytes(),
        new TarBuilder().symlink("ep", host.toString()).hardlink("sketchylink", "ep")
            .file("sketchylink", "x".getBytes(StandardCharsets.UTF_8), 0777).bytes(),
        new TarBuilder().symlink("ep", host.toString()).hardlink("sketchylink", "ep").dir("ep", 0777).bytes());
    for (byte[] tar : cases) {
      v.apply(tar);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(host))).isEqualTo("r--------");
      assertThat(host).hasContent("host");
    }
    v.apply(cases.get(0));
    assertThat(Files.isSymbolicLink(v.dest.resolve("sketchylink"))).isTrue();
    v.assertIntact();
  }

  @Test
  void apply_L14_rootAsSymlink_refused() throws Exception {
    for (String name : List.of(".", "/", "./")) {
      v.assertRejected(new TarBuilder().symlink(name, v.victim.toString()).file("etc/passwd", "x").bytes())
          .hasMessageContaining("refusing to change the type of the root");
      assertThat(Files.isSymbolicLink(v.dest)).isFalse();
      assertThat(v.dest.resolve("etc")).doesNotExist();
    }
    v.apply(new TarBuilder().dir("./", 0700).bytes()); // a directory entry for the root is fine
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(v.dest))).isEqualTo("rwx------");
    v.assertIntact();
  }

  @Test
  void apply_L15_symlinksNamedParentOrEmpty_neverReplaceRoot() throws Exception {
    v.assertRejected(new TarBuilder().symlink("..", "/etc/").hardlink("x", "../passwd").bytes())
        .hasMessageContaining("climbs out");
    v.assertRejected(new TarBuilder().symlink("", "/etc/").hardlink("x", "passwd").bytes())
        .hasMessageContaining("root");
    v.assertRejected(new TarBuilder().symlink("localetc/sub/..", "/etc/").hardlink("x", "localetc/passwd").bytes())
        .hasMessageContaining("does not exist in the root");
    assertThat(v.dest).isDirectory();
    assertThat(Files.isSymbolicLink(v.dest)).isFalse();
    assertThat(Files.readSymbolicLink(v.dest.resolve("localetc"))).hasToString("/etc");
    assertThat(v.dest.resolve("x")).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L16_hardlinkToSymlink_linksTheSymlinkItself() throws Exception {
    v.apply(new TarBuilder().symlink("symlink1", "regfile").hardlink("symlink2", "symlink1").file("regfile", "r")
        .bytes());
    Path s2 = v.dest.resolve("symlink2");
    assertThat(Files.isSymbolicLink(s2)).isTrue();
    assertThat(Files.readSymbolicLink(s2)).hasToString("regfile");
    assertThat(ino(s2)).isEqualTo(ino(v.dest.resolve("symlink1")));
    v.assertIntact();
  }

  @Test
  void apply_L17_throughPreExistingAbsoluteSymlink_landsInRoot() throws Exception {
    for (boolean targetExists : List.of(true, false)) {
      LayerApplier.deleteTree(v.dest);
      Files.createDirectories(v.dest.resolve("var"));
      Files.createSymbolicLink(v.dest.resolve("var/run"), Path.of("/run"));
      if (targetExists) {
        Files.createDirectories(v.dest.resolve("run/existing"));
      }
      v.apply(new TarBuilder().file("var/run/existing/non-existing/file", "f").bytes());
      assertThat(v.dest.resolve("run/existing/non-existing/file")).hasContent("f");
      assertThat(Files.isSymbolicLink(v.dest.resolve("var/run"))).isTrue();
    }
    assertThat(Path.of("/run/existing/non-existing")).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L18_relativeEscapeBeforeAbsoluteSymlink_rejected() throws Exception {
    Files.createSymbolicLink(v.dest.resolve("escape"), Path.of(".."));
    Files.createSymbolicLink(v.dest.resolve("absolute"), Path.of("/target"));
    v.assertRejected(new TarBuilder().file("escape/absolute/file", "x").bytes())
        .hasMessageContaining("escapes the root");
    assertThat(v.dest.resolve("target/file")).doesNotExist();
    assertThat(tmp.resolve("target")).doesNotExist();
    v.assertIntact();
  }

  @Test
  void apply_L19_absoluteHardlinkTarget_resolvedInRoot() throws Exception {
    v.apply(new TarBuilder().file("usr/bin/perlbug", "perl").hardlink("usr/bin/perlthanks", "/usr/bin/perlbug")
        .bytes());
    assertThat(ino(v.dest.resolve("usr/bin/perlthanks"))).isEqualTo(ino(v.dest.resolve("usr/bin/perlbug")));
    v.assertRejected(new TarBuilder().hardlink("leak", "/../victim/hello").bytes());
    v.assertIntact();
  }

  @Test
  void apply_L20_symlinkCycle_boundedError() throws Exception {
    v.assertRejected(new TarBuilder().symlink("foo", "bar").symlink("bar", "foo").file("foo/x", "x").bytes())
        .hasMessageContaining("too many levels of symbolic links");
    try (Stream<Path> s = Files.list(v.dest)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("foo", "bar");
    }
    v.assertIntact();
  }
}
