package dev.jbuild.store.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers holding sparse files, written by GNU tar in each of its sparse formats (old GNU 'S' headers, PAX 0.0, 0.1
 * and 1.0), apply to the same files, holes kept as holes. Go's archive/tar (docker, containerd) reads all four.
 */
class GnuSparseIT {
  private static final long MIB = 1 << 20;

  @TempDir Path tmp;
  Path src;

  @BeforeEach
  void setUp() throws Exception {
    assumeThat(Files.isExecutable(GnuTarApplyIT.TAR)).as("GNU tar installed").isTrue();
    src = Files.createDirectory(tmp.resolve("src"));
    Random random = new Random(7);
    byte[] chunk = new byte[100_000];
    random.nextBytes(chunk);
    // Data, a hole, data, and a hole up to the end; a file that is all hole; one whose data ends it.
    sparse(src.resolve("mixed.img"), 10 * MIB, new long[] {0, 4 * MIB}, chunk);
    sparse(src.resolve("empty.img"), 8 * MIB, new long[0], chunk);
    sparse(src.resolve("tail.img"), 6 * MIB, new long[] {6 * MIB - chunk.length}, chunk);
    Files.writeString(src.resolve("plain.txt"), "not sparse\n");
    for (Path p : List.of(src.resolve("mixed.img"), src.resolve("empty.img"), src.resolve("tail.img"),
        src.resolve("plain.txt"))) {
      TreeSnapshot.touch(p, 1_600_000_000L);
    }
  }

  private static void sparse(Path file, long size, long[] offsets, byte[] data) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long off : offsets) {
        ch.write(ByteBuffer.wrap(data), off);
      }
      ch.truncate(size);
      if (ch.size() < size) {
        ch.write(ByteBuffer.allocate(1), size - 1);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gnu", "posix-0.0", "posix-0.1", "posix-1.0"})
  void apply_gnuTarSparseArchive_reproducesTheFilesWithTheirHoles(String format) throws Exception {
    Path tar = tmp.resolve(format + ".tar");
    List<String> cmd = new ArrayList<>(List.of(GnuTarApplyIT.TAR.toString(), "--sparse", "--numeric-owner"));
    if (format.equals("gnu")) {
      cmd.add("--format=gnu");
    } else {
      cmd.add("--format=posix");
      cmd.add("--sparse-version=" + format.substring("posix-".length()));
      cmd.add("--pax-option=delete=atime,delete=ctime");
    }
    cmd.addAll(List.of("-cf", tar.toString(), "-C", src.toString(), "."));
    GnuTarApplyIT.run(cmd.toArray(String[]::new));
    // GNU tar really wrote them sparse: 24 MiB of files in a few hundred KiB.
    assertThat(Files.size(tar)).isLessThan(MIB);

    Path out = Files.createDirectory(tmp.resolve("out"));
    ApplyResult r;
    try (InputStream in = Files.newInputStream(tar)) {
      r = LayerApplier.apply(in, out, ApplyOptions.defaults());
    }
    assertThat(r.bytes()).isEqualTo(Files.size(tar));
    assertThat(TreeSnapshot.of(out)).isEqualTo(TreeSnapshot.of(src));
    for (String name : List.of("mixed.img", "empty.img", "tail.img")) {
      assertThat(Files.size(out.resolve(name))).isEqualTo(Files.size(src.resolve(name)));
      assertThat(allocated(out.resolve(name))).as(name + " keeps its holes").isLessThan(MIB);
    }

    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(tar)) {
      LayerApplier.readHeaders(in, 1L << 30, h -> names.add(h.name()));
    }
    assertThat(names).contains("./mixed.img", "./empty.img", "./tail.img", "./plain.txt")
        .noneMatch(n -> n.contains("GNUSparseFile"));
  }

  /** Bytes the file occupies on disk (st_blocks * 512), which Java does not expose. */
  private static long allocated(Path file) throws Exception {
    Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return Long.parseLong(out) * 512;
  }
}
