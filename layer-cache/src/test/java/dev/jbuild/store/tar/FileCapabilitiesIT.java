package dev.jbuild.store.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** security.capability survives walk -> tar -> GNU tar extraction (needs getfattr, setcap and root). */
class FileCapabilitiesIT {
  @TempDir Path dir;

  @Test
  void fromDirectory_fileWithCapability_carriedIntoTarAndRestoredByGnuTar() throws Exception {
    assumeThat(Getfattr.tool()).as("getfattr installed (package attr)").isNotNull();
    assumeThat(Files.isExecutable(Path.of("/usr/sbin/setcap"))).as("setcap installed").isTrue();
    assumeThat(Files.getAttribute(Path.of("/proc/self"), "unix:uid")).as("running as root").isEqualTo(0);
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("bin"));
    Files.copy(Path.of("/bin/true"), src.resolve("bin/ping"));
    Files.createSymbolicLink(src.resolve("bin/link"), Path.of("ping"));
    GnuTarInteropIT.run(dir, "/usr/sbin/setcap", "cap_net_raw=ep", src.resolve("bin/ping").toString());

    List<LayerEntry> entries = LayerTarWriter.fromDirectory(src);
    LayerEntry ping = entries.stream().filter(e -> e.path().equals("bin/ping")).findFirst().orElseThrow();
    assertThat(ping.xattrs()).containsKey("security.capability");

    Path tar = dir.resolve("layer.tar");
    try (var out = Files.newOutputStream(tar)) {
      LayerTarWriter.write(entries, out, Instant.EPOCH);
    }
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    GnuTarInteropIT.run(out, "/usr/bin/tar", "--xattrs", "--xattrs-include=*", "-xpf", tar.toString());

    String caps = GnuTarInteropIT.run(dir, "/usr/sbin/getcap", out.resolve("bin/ping").toString());
    assertThat(caps).contains("cap_net_raw=ep");
    LayerEntry again = LayerTarWriter.fromDirectory(out).stream()
        .filter(e -> e.path().equals("bin/ping")).findFirst().orElseThrow();
    assertThat(again.xattrs().get("security.capability")).isEqualTo(ping.xattrs().get("security.capability"));
  }
}
