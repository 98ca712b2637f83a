package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CASES.md group L, L21-L25: whiteouts and opaque directories, and their overlay form. */
class LayerApplierWhiteoutTest {
  @TempDir Path tmp;
  VictimDir v;

  @BeforeEach
  void setUp() throws Exception {
    v = new VictimDir(tmp);
  }

  static List<String> tree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void apply_L21_invalidWhiteoutNames_errorAndNothingRemoved() throws Exception {
    Files.createDirectories(v.dest.resolve("etc"));
    Files.writeString(v.dest.resolve("etc/keep"), "k");
    Files.writeString(v.dest.resolve("keep"), "k");
    List<String> before = tree(v.dest);
    for (String name : List.of(".wh..", ".wh...", "etc/.wh..", "etc/.wh...", ".wh.")) {
      v.assertRejected(new TarBuilder().file(name, "").bytes()).hasMessageContaining("invalid whiteout");
      assertThat(tree(v.dest)).isEqualTo(before);
    }
    v.assertIntact();
  }

  @Test
  void apply_L22_whiteoutOfSymlink_removesOnlyTheLink() throws Exception {
    Files.createDirectories(v.dest.resolve("etc"));
    Files.writeString(v.dest.resolve("etc/passwd"), "in-root");
    Files.createSymbolicLink(v.dest.resolve("localetc"), Path.of("/etc"));
    Files.createSymbolicLink(v.dest.resolve("victimlink"), v.victim);
    v.apply(new TarBuilder().file(".wh.localetc", "").file(".wh.victimlink", "").bytes());
    assertThat(v.dest.resolve("localetc")).doesNotExist();
    assertThat(Files.exists(v.dest.resolve("victimlink"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(v.dest.resolve("etc/passwd")).hasContent("in-root");
    assertThat(Path.of("/etc/passwd")).exists();
    v.assertIntact();
  }

  @Test
  void apply_L23_whiteoutThroughSymlinkedParent_deletesInRootOnly() throws Exception {
    Files.createDirectories(v.dest.resolve("etc"));
    Files.writeString(v.dest.resolve("etc/whitedout"), "w");
    Files.createSymbolicLink(v.dest.resolve("localetc"), Path.of("/etc"));
    Files.createSymbolicLink(v.dest.resolve("victimlink"), v.victim); // absolute: re-rooted to dest/<tmp>/victim
    v.apply(new TarBuilder().file("localetc/.wh.whitedout", "").file("victimlink/.wh.hello", "").bytes());
    assertThat(v.dest.resolve("etc/whitedout")).doesNotExist();
    assertThat(v.dest.resolve("etc")).isDirectory();
    v.assertIntact();
  }

  @Test
  void apply_L24_opaqueMarkerAfterContent_keepsThisLayersEntries() throws Exception {
    Files.createDirectories(v.dest.resolve("foo/sub"));
    Files.writeString(v.dest.resolve("foo/a"), "a");
    Files.writeString(v.dest.resolve("foo/b"), "b");
    Files.writeString(v.dest.resolve("foo/sub/old"), "old");
    Files.writeString(v.dest.resolve("other"), "o");
    v.apply(new TarBuilder().file("foo/new", "n").file("foo/sub/z", "z").file("foo/.wh..wh..opq", "")
        .file("foo/later", "l").bytes());
    assertThat(tree(v.dest.resolve("foo"))).containsExactly("", "later", "new", "sub", "sub/z");
    assertThat(v.dest.resolve("other")).hasContent("o");
    v.assertIntact();
  }

  @Test
  void apply_L25_whiteoutPrefixOnlyCountsInBasename() throws Exception {
    v.apply(new TarBuilder().file(".wh.etc/somefile", "s").file("..gitme", "g").bytes());
    assertThat(v.dest.resolve(".wh.etc/somefile")).hasContent("s");
    assertThat(v.dest.resolve("..gitme")).hasContent("g");
    v.assertIntact();
  }

  @Test
  void apply_overlayWhiteouts_becomeDevice00AndOpaqueXattr() throws Exception {
    Files.createDirectories(v.dest.resolve("d"));
    ApplyOptions overlay = v.options().withWhiteouts(ApplyOptions.Whiteouts.OVERLAY).withRootless(false);
    v.apply(new TarBuilder().dir("d").file("d/.wh.gone", "").file("d/kept", "k").file("o/.wh..wh..opq", "")
        .bytes(), overlay);
    Path wh = v.dest.resolve("d/gone");
    assertThat(Files.getAttribute(wh, "unix:mode", LinkOption.NOFOLLOW_LINKS)).matches(m -> ((int) m & 0170000)
        == 0020000, "a character device");
    assertThat(Files.getAttribute(wh, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
    String xattrs = FsOps.run(List.of("getfattr", "-h", "-d", "-m", "-", v.dest.resolve("o").toString()));
    assertThat(xattrs).contains("trusted.overlay.opaque=\"y\"");
    assertThat(v.dest.resolve("d/kept")).hasContent("k");
    v.assertIntact();
  }

  @Test
  void apply_overlayMode_layerCannotForgeOverlayXattrs() throws Exception {
    String name = "f-" + UUID.randomUUID();
    v.apply(new TarBuilder().withXattrs(name, java.util.Map.of("trusted.overlay.redirect", "/x".getBytes(),
        "user.overlay.opaque", "y".getBytes()), '5', "").bytes(),
        v.options().withWhiteouts(ApplyOptions.Whiteouts.OVERLAY));
    String xattrs = FsOps.run(List.of("getfattr", "-h", "-d", "-m", "-", v.dest.resolve(name).toString()));
    assertThat(xattrs).doesNotContain("overlay");
    assertThat(v.warnings).anyMatch(w -> w.contains("trusted.overlay.redirect"));
    v.assertIntact();
  }
}
