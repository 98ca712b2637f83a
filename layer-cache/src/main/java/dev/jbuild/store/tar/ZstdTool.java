package dev.jbuild.store.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * zstd compression through the host's {@code zstd} binary (fixed path, never PATH, never from an image).
 *
 * <p>Why a process: the project carries no zstd library (zstd-jni is a native dependency), and zstd is only used
 * for {@code --compression zstd} on push, save or output, where one process start is nothing next to the upload.
 */
final class ZstdTool {
  private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/zstd"), Path.of("/bin/zstd"));

  private ZstdTool() {}

  static Path tool() {
    for (Path p : CANDIDATES) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Compresses {@code in} into {@code out} at level 3, single-threaded so the output never depends on the cores. */
  static void compress(InputStream in, OutputStream out) throws IOException {
    Path tool = tool();
    if (tool == null) {
      throw new IOException("zstd compression needs the zstd command (Debian package zstd)");
    }
    ProcessBuilder pb = new ProcessBuilder(tool.toString(), "-3", "-T1", "-q", "-c", "--no-progress", "-");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process proc = pb.start();
    AtomicReference<IOException> feedError = new AtomicReference<>();
    Thread feeder = new Thread(() -> {
      try (OutputStream stdin = proc.getOutputStream()) {
        in.transferTo(stdin);
      } catch (IOException e) {
        feedError.set(e);
        proc.destroyForcibly();
      }
    }, "zstd-feeder");
    feeder.setDaemon(true);
    feeder.start();
    try (InputStream stdout = proc.getInputStream()) {
      stdout.transferTo(out);
    }
    try {
      feeder.join();
      int rc = proc.waitFor();
      if (feedError.get() != null) {
        throw feedError.get();
      }
      if (rc != 0) {
        throw new IOException("zstd exited with status " + rc);
      }
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing with zstd");
    }
  }
}
