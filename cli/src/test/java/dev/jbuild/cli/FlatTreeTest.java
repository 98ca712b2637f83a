package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/** The equivalence tests' own layer reader: whiteouts, opaque directories and hard-link groups. */
class FlatTreeTest {
  private static final String SHA_A = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

  @Test
  void apply_whiteoutAndOpaque_hideOnlyLowerEntries() throws IOException {
    FlatTree tree = new FlatTree();
    tree.apply(tar(b -> {
      b.dir("d");
      b.file("d/old", "a");
      b.file("gone", "a");
      b.dir("gone-dir");
      b.file("gone-dir/x", "a");
    }), "lower");
    tree.apply(tar(b -> {
      b.file("d/new", "a");
      b.file("d/.wh..wh..opq", "");
      b.file(".wh.gone", "");
      b.file(".wh.gone-dir", "");
    }), "upper");
    assertThat(tree.describe()).containsOnlyKeys("d", "d/new");
    assertThat(tree.describe().get("d/new")).isEqualTo("file 0644 0:0 sha256=" + SHA_A);
  }

  @Test
  void describe_hardLinks_listTheWholeGroupWhicheverPathWasStored() throws IOException {
    FlatTree tree = new FlatTree();
    tree.apply(tar(b -> {
      b.file("a", "a");
      b.link("b", "a");
    }), "lower");
    tree.apply(tar(b -> b.link("c", "b")), "upper"); // a link to a lower layer's file
    assertThat(tree.describe().get("c")).endsWith("hardlinks=[a, b]");
    assertThat(tree.describe().get("a")).endsWith("hardlinks=[b, c]");

    tree.apply(tar(b -> b.file("b", "a")), "copy-up"); // rewritten: leaves the group
    assertThat(tree.describe().get("b")).doesNotContain("hardlinks");
    assertThat(tree.describe().get("a")).endsWith("hardlinks=[c]");
  }

  @Test
  void apply_fileOverDirectory_dropsTheDirectorysChildren() throws IOException {
    FlatTree tree = new FlatTree();
    tree.apply(tar(b -> {
      b.dir("x");
      b.file("x/child", "a");
    }), "lower");
    tree.apply(tar(b -> b.file("x", "a")), "upper");
    assertThat(tree.describe()).containsOnlyKeys("x");
  }

  @Test
  void apply_linkToNothing_namesTheLayer() {
    assertThatThrownBy(() -> new FlatTree().apply(tar(b -> b.link("b", "missing")), "layer-7"))
        .hasMessageContaining("layer-7").hasMessageContaining("missing");
  }

  interface Entries {
    void add(TarBuilder b) throws IOException;
  }

  static final class TarBuilder {
    private final TarArchiveOutputStream out;

    TarBuilder(TarArchiveOutputStream out) {
      this.out = out;
    }

    void dir(String name) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
      e.setMode(0755);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
    }

    void file(String name, String content) throws IOException {
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setMode(0644);
      e.setSize(bytes.length);
      out.putArchiveEntry(e);
      out.write(bytes);
      out.closeArchiveEntry();
    }

    void link(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
      e.setLinkName(target);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
    }
  }

  private static ByteArrayInputStream tar(Entries entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      entries.add(new TarBuilder(out));
    }
    return new ByteArrayInputStream(bytes.toByteArray());
  }
}
