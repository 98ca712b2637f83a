package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.jbuild.store.tar.LayerTarWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GNU tar as the oracle in both directions: it extracts our tars, and we apply its PAX tars, to the same tree. */
class GnuTarApplyIT {
  static final Path TAR = Path.of("/usr/bin/tar");

  @TempDir Path tmp;
  Path src;

  @BeforeEach
  void setUp() throws Exception {
    assumeThat(Files.isExecutable(TAR)).as("GNU tar installed").isTrue();
    src = TreeSnapshot.sampleTree(tmp.resolve("src"));
  }

  static void run(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C.UTF-8");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
  }

  @Test
  void gnuTarExtract_ourLayerTar_givesTheSameTreeAsOurApplier() throws Exception {
    Path tar = tmp.resolve("ours.tar");
    try (OutputStream out = Files.newOutputStream(tar)) {
      LayerTarWriter.write(LayerTarWriter.fromDirectory(src), out, null);
    }
    Path byGnu = Files.createDirectory(tmp.resolve("gnu"));
    run(TAR.toString(), "-xpf", tar.toString(), "--numeric-owner", "-C", byGnu.toString());
    Path byUs = Files.createDirectory(tmp.resolve("us"));
    try (InputStream in = Files.newInputStream(tar)) {
      LayerApplier.apply(in, byUs, ApplyOptions.defaults());
    }
    assertThat(TreeSnapshot.of(byGnu)).isEqualTo(TreeSnapshot.of(src));
    assertThat(TreeSnapshot.of(byUs)).isEqualTo(TreeSnapshot.of(src));
  }

  @Test
  void apply_gnuTarPaxArchive_reproducesTheTree() throws Exception {
    Path tar = tmp.resolve("gnu.tar");
    run(TAR.toString(), "--format=pax", "--numeric-owner", "-cf", tar.toString(), "-C", src.toString(), ".");
    Path out = Files.createDirectory(tmp.resolve("out"));
    ApplyResult r;
    try (InputStream in = Files.newInputStream(tar)) {
      r = LayerApplier.apply(in, out, ApplyOptions.defaults());
    }
    assertThat(TreeSnapshot.of(out)).isEqualTo(TreeSnapshot.of(src));
    assertThat(r.bytes()).isEqualTo(Files.size(tar)); // GNU tar pads to 10 KiB records: all of it read
  }
}
