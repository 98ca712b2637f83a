package dev.jbuild.store.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GNU tar as an oracle: it must list and extract exactly what we meant to write. */
class GnuTarInteropIT {
  static final Instant EPOCH = Instant.parse("2021-06-01T00:00:00Z");
  static final Path TAR = Path.of("/usr/bin/tar");

  @TempDir Path dir;

  static String run(Path cwd, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("TZ", "UTC");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
    return out;
  }

  private Path writeTar(List<LayerEntry> entries) throws IOException {
    Path tar = dir.resolve("layer.tar");
    try (var out = Files.newOutputStream(tar)) {
      LayerTarWriter.write(entries, out, EPOCH);
    }
    return tar;
  }

  @Test
  void tarList_treeLayer_showsNumericOwnersModesAndLinks() throws Exception {
    assumeThat(Files.isExecutable(TAR)).isTrue();
    Path src = dir.resolve("src");
    LayerTarWriterTest.makeTree(src, Instant.parse("2023-01-01T00:00:00Z"));
    List<LayerEntry> entries = new ArrayList<>();
    for (LayerEntry e : LayerTarWriter.fromDirectory(src)) {
      entries.add(e.withOwner(1000, 1000));
    }
    Path tar = writeTar(entries);

    List<String> lines = run(dir, TAR.toString(), "--numeric-owner", "-tvf", tar.toString()).lines().toList();

    assertThat(lines).containsExactly(
        "drwxr-xr-x 1000/1000         0 2021-06-01 00:00 etc/",
        "drwxr-xr-x 1000/1000         0 2021-06-01 00:00 etc/app/",
        "-rw-r----- 1000/1000        11 2021-06-01 00:00 etc/app/config.yaml",
        "drwxr-xr-x 1000/1000         0 2021-06-01 00:00 usr/",
        "drwxr-xr-x 1000/1000         0 2021-06-01 00:00 usr/bin/",
        "lrwxrwxrwx 1000/1000         0 2021-06-01 00:00 usr/bin/sh-link -> /bin/sh",
        "-rwxr-xr-x 1000/1000        18 2021-06-01 00:00 usr/bin/tool",
        "hrwxr-xr-x 1000/1000         0 2021-06-01 00:00 usr/bin/tool-alias link to usr/bin/tool");
    // Without --numeric-owner GNU tar would print names if the archive had any; it has none.
    assertThat(run(dir, TAR.toString(), "-tvf", tar.toString())).contains(" 1000/1000 ");
  }

  @Test
  void tarExtract_treeLayer_reproducesFilesModesAndLinks() throws Exception {
    assumeThat(Files.isExecutable(TAR)).isTrue();
    Path src = dir.resolve("src");
    LayerTarWriterTest.makeTree(src, Instant.parse("2023-01-01T00:00:00Z"));
    String longName = "deep/" + "segment-of-a-long-path/".repeat(6) + "file-with-a-long-name.txt";
    Files.createDirectories(src.resolve(longName).getParent());
    Files.writeString(src.resolve(longName), "long");
    Path tar = writeTar(LayerTarWriter.fromDirectory(src));
    Path out = dir.resolve("out");
    Files.createDirectories(out);

    run(out, TAR.toString(), "-xpf", tar.toString());

    assertThat(Files.readString(out.resolve("etc/app/config.yaml"))).isEqualTo("key: value\n");
    assertThat(Files.getAttribute(out.resolve("etc/app/config.yaml"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0100640);
    assertThat(Files.getAttribute(out.resolve("usr/bin/tool"), "unix:mode")).isEqualTo(0100755);
    assertThat(Files.readSymbolicLink(out.resolve("usr/bin/sh-link"))).isEqualTo(Path.of("/bin/sh"));
    assertThat(Files.getAttribute(out.resolve("usr/bin/tool-alias"), "unix:ino"))
        .isEqualTo(Files.getAttribute(out.resolve("usr/bin/tool"), "unix:ino"));
    assertThat(Files.readString(out.resolve(longName))).isEqualTo("long");
    assertThat(Files.getLastModifiedTime(out.resolve("usr/bin/tool")).toInstant()).isEqualTo(EPOCH);
    // And the extracted tree walks back into the very same layer.
    byte[] again = LayerTarWriterTest.tar(LayerTarWriter.fromDirectory(out), EPOCH);
    assertThat(again).isEqualTo(Files.readAllBytes(tar));
  }

  @Test
  void tarExtract_binaryUserXattr_restoredByteForByte() throws Exception {
    assumeThat(Files.isExecutable(TAR)).isTrue();
    Path probe = dir.resolve("probe");
    Files.writeString(probe, "");
    UserDefinedFileAttributeView view = Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class);
    try {
      view.write("probe", ByteBuffer.wrap(new byte[] {1}));
    } catch (IOException | UnsupportedOperationException e) {
      assumeThat(false).as("user xattrs supported on " + dir).isTrue();
    }
    byte[] value = {0, (byte) 0xff, (byte) 0x80, '=', '\n', 0x7f, (byte) 0xc3};
    List<LayerEntry> entries =
        List.of(LayerEntry.file("f", null, 0, 0644, 0, 0, EPOCH).withXattrs(Map.of("user.bin", value)));
    Path tar = writeTar(entries);
    Path out = dir.resolve("out");
    Files.createDirectories(out);

    run(out, TAR.toString(), "--xattrs", "--xattrs-include=user.*", "-xpf", tar.toString());

    UserDefinedFileAttributeView extracted =
        Files.getFileAttributeView(out.resolve("f"), UserDefinedFileAttributeView.class);
    ByteBuffer buf = ByteBuffer.allocate(extracted.size("bin"));
    extracted.read("bin", buf);
    assertThat(buf.array()).isEqualTo(value);
    // Walking the extracted file reads the attribute back into the same entry.
    assertThat(LayerTarWriter.fromDirectory(out).get(0).xattrs().get("user.bin")).isEqualTo(value);
  }
}
