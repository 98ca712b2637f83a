package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.store.tar.LayerEntry;
import dev.jbuild.store.tar.LayerTarWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpperAsTreeTest {
  @TempDir Path upper;

  private static final Instant WRITTEN = Instant.parse("2031-05-06T07:08:09.123456789Z");

  /** An upper dir as a run leaves it: a change, a mount point runc made, and a socket the command left. */
  private List<LayerEntry> sampleUpper() throws Exception {
    Files.createDirectories(upper.resolve("app/sub"));
    Files.writeString(upper.resolve("app/sub/f"), "data");
    Files.createSymbolicLink(upper.resolve("app/link"), Path.of("sub/f"));
    Files.createDirectories(upper.resolve("proc"));
    Files.createDirectories(upper.resolve("etc"));
    Files.createFile(upper.resolve("etc/hosts"));
    try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(upper.resolve("app/sock")));
    }
    for (String p : List.of("app/sub/f", "app/sub", "app/link", "app")) {
      Files.getFileAttributeView(upper.resolve(p), java.nio.file.attribute.BasicFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS).setTimes(FileTime.from(WRITTEN), null, null);
    }
    return LayerTarWriter.fromOverlayUpperdir(upper);
  }

  @Test
  void conform_dropsWhatTheLayerLeftOut_andGivesTheArchivedMtimes() throws Exception {
    List<LayerEntry> all = sampleUpper();
    assertThat(all).extracting(LayerEntry::path).doesNotContain("app/sock"); // no tar holds a socket
    List<LayerEntry> layer = all.stream().filter(e -> e.path().startsWith("app")).collect(Collectors.toList());
    Instant epoch = Instant.parse("2030-01-01T00:00:00Z");

    assertThat(UpperAsTree.conform(upper, layer, epoch)).isTrue();

    try (var s = Files.list(upper)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("app");
    }
    assertThat(upper.resolve("app/sock")).doesNotExist();
    for (String p : List.of("app", "app/sub", "app/sub/f", "app/link")) {
      assertThat(Files.getLastModifiedTime(upper.resolve(p), LinkOption.NOFOLLOW_LINKS).toInstant()).as(p)
          .isEqualTo(epoch);
    }
    assertThat(Files.readString(upper.resolve("app/sub/f"))).isEqualTo("data");
  }

  @Test
  void conform_withoutEpoch_truncatesToWholeSeconds() throws Exception {
    List<LayerEntry> layer = sampleUpper().stream().filter(e -> e.path().startsWith("app"))
        .collect(Collectors.toList());
    assertThat(UpperAsTree.conform(upper, layer, null)).isTrue();
    assertThat(Files.getLastModifiedTime(upper.resolve("app/sub/f")).toInstant())
        .isEqualTo(Instant.parse("2031-05-06T07:08:09Z"));
  }

  @Test
  void conform_aDirToDropThatIsNotEmpty_refuses() throws Exception {
    // "app" itself left out while its children stay: no tree can match that layer, so the caller discards the dir.
    List<LayerEntry> layer = sampleUpper().stream().filter(e -> e.path().startsWith("app/"))
        .collect(Collectors.toList());
    assertThat(UpperAsTree.conform(upper, layer, null)).isFalse();
  }
}
