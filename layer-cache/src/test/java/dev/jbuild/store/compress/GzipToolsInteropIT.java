package dev.jbuild.store.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real gzip, gunzip and (when installed) pigz and zstd read what ParallelGzipOutputStream and Zstd write. */
class GzipToolsInteropIT {
  @TempDir Path dir;

  private String run(Path stdin, Path stdout, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    pb.redirectOutput(stdout != null ? ProcessBuilder.Redirect.to(stdout.toFile()) : ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + err).isZero();
    return err;
  }

  private static boolean installed(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool));
  }

  @Test
  void parallelGzip_manyBlocks_gzipTestGunzipAndPigzAgree() throws Exception {
    byte[] input = TestData.mixed(5 * 1024 * 1024 + 3, 31);
    Path raw = dir.resolve("layer.tar");
    Files.write(raw, input);
    Path gz = dir.resolve("layer.tar.gz");
    try (OutputStream out = new ParallelGzipOutputStream(Files.newOutputStream(gz), 2)) {
      out.write(input);
    }

    run(null, null, "gzip", "-t", gz.toString());
    Path back = dir.resolve("gunzipped");
    run(gz, back, "gunzip", "-c");
    assertThat(Files.mismatch(back, raw)).isEqualTo(-1L);
    List<String> tools = new ArrayList<>(List.of("gunzip"));
    if (installed("pigz")) {
      Path pigzBack = dir.resolve("pigz-d");
      run(gz, pigzBack, "pigz", "-d", "-c");
      assertThat(Files.mismatch(pigzBack, raw)).isEqualTo(-1L);
      tools.add("pigz");
    }
    // gzip -l reads ISIZE from the trailer.
    Path list = dir.resolve("list");
    run(null, list, "gzip", "-l", gz.toString());
    assertThat(Files.readString(list)).contains(Long.toString(input.length));
    assertThat(tools).contains("gunzip");
  }

  @Test
  void parallelGzip_emptyInput_gzipTestAccepts() throws Exception {
    Path gz = dir.resolve("empty.gz");
    new ParallelGzipOutputStream(Files.newOutputStream(gz), 2).close();

    run(null, null, "gzip", "-t", gz.toString());
    Path back = dir.resolve("back");
    run(gz, back, "gunzip", "-c");
    assertThat(Files.size(back)).isZero();
  }

  @Test
  void zstdJni_output_zstdCliDecompressesIt() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(installed("zstd"), "zstd CLI installed");
    byte[] input = TestData.mixed(3 * 1024 * 1024, 32);
    Path raw = dir.resolve("layer.tar");
    Files.write(raw, input);
    Path zst = dir.resolve("layer.tar.zst");
    try (OutputStream out = Zstd.compressing(Files.newOutputStream(zst))) {
      out.write(input);
    }

    Path back = dir.resolve("back");
    run(zst, back, "zstd", "-d", "-c");
    assertThat(Files.mismatch(back, raw)).isEqualTo(-1L);
  }

  @Test
  void decompress_pigzAndZstdCliOutput_readsBoth() throws Exception {
    byte[] input = TestData.mixed(2 * 1024 * 1024, 33);
    Path raw = dir.resolve("layer.tar");
    Files.write(raw, input);
    List<Path> compressed = new ArrayList<>();
    Path gz = dir.resolve("by-gzip.gz");
    run(raw, gz, "gzip", "-6", "-c");
    compressed.add(gz);
    if (installed("pigz")) {
      Path pgz = dir.resolve("by-pigz.gz");
      run(raw, pgz, "pigz", "-6", "-c");
      compressed.add(pgz);
    }
    if (installed("zstd")) {
      Path zst = dir.resolve("by-zstd.zst");
      run(raw, zst, "zstd", "-3", "-q", "-c");
      compressed.add(zst);
    }

    for (Path p : compressed) {
      try (var in = Decompress.open(Files.newInputStream(p), input.length)) {
        assertThat(in.readAllBytes()).as(p.toString()).isEqualTo(input);
      }
    }
  }
}
