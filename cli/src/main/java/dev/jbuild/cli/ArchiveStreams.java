package dev.jbuild.cli;

import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files or {@code -} (stdin, stdout) for the commands that move images as tars. */
final class ArchiveStreams {
  private static final int BUFFER = 1 << 20;

  private ArchiveStreams() {}

  static InputStream input(String path) throws IOException {
    if (path.equals("-")) {
      return new BufferedInputStream(new FileInputStream(FileDescriptor.in), BUFFER);
    }
    try {
      return new BufferedInputStream(Files.newInputStream(Path.of(path)), BUFFER);
    } catch (NoSuchFileException e) {
      throw new Errors.UserError("no such file: " + path);
    }
  }

  static String describe(String path, String what) {
    return path.equals("-") ? what + " on stdin" : what + " " + path;
  }

  static Platform platform(String spec) {
    try {
      return spec == null ? Platform.host() : Platform.parse(spec);
    } catch (OciException e) {
      throw new Errors.UserError(e.getMessage());
    }
  }

  /**
   * Where a tar goes: stdout, or a temp file beside the target renamed over it only once complete, so a failed
   * save never leaves a truncated archive under the name a pipeline expects.
   */
  static final class Output implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final OutputStream stream;
    private boolean committed;

    private Output(Path target, Path temp, OutputStream stream) {
      this.target = target;
      this.temp = temp;
      this.stream = stream;
    }

    static Output open(String path, String what) throws IOException {
      if (path.equals("-")) {
        // System.console() alone misses a terminal on stdout when stdin is redirected (jbuild save app </dev/null);
        // docker looks at stdout alone.
        if (System.console() != null || Terminal.isTerminal(Path.of("/proc/self/fd/1"))) {
          throw new Errors.UserError("refusing to write " + what + " to a terminal: use -o FILE or a pipe");
        }
        return new Output(null, null, new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), BUFFER));
      }
      Path target = Path.of(path).toAbsolutePath();
      Path dir = target.getParent();
      if (dir == null || !Files.isDirectory(dir)) {
        throw new Errors.UserError("cannot write " + path + ": no such directory " + dir);
      }
      Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      return new Output(target, temp, new BufferedOutputStream(Files.newOutputStream(temp), BUFFER));
    }

    OutputStream stream() {
      return stream;
    }

    void commit() throws IOException {
      stream.flush();
      if (temp != null) {
        stream.close();
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      committed = true;
    }

    @Override
    public void close() throws IOException {
      if (temp != null && !committed) {
        try {
          stream.close();
        } finally {
          Files.deleteIfExists(temp);
        }
      }
    }
  }
}
