package dev.jbuild.maven;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The forked build: run as {@code unshare --user --map-auto --map-root-user --mount -- java -cp <plugin classpath>
 * dev.jbuild.maven.ForkMain} so that RUN steps have uid 0 of a user namespace when Maven itself does not run as root.
 * It reads one {@link BuildRequest} as JSON on stdin, runs the builder, and writes every event, then the result or
 * the error, as JSON lines on stdout ({@link EventCodec}). Exit status: 0 built, 1 the build failed, 2 a bad request.
 */
public final class ForkMain {
  /** Caps the request read from stdin; a real one is a few KiB. */
  private static final int MAX_REQUEST = 16 << 20;

  private ForkMain() {}

  public static void main(String[] args) {
    // stdout is the protocol channel: this front end owns it, so nothing else may write there.
    PrintStream protocol = System.out;
    System.setOut(System.err);
    int status = run(System.in, protocol);
    protocol.flush();
    System.exit(status);
  }

  /** Reads the request from {@code in}, builds, writes JSON lines to {@code out}; returns the exit status. */
  static int run(InputStream in, OutputStream out) {
    PrintStream lines = new PrintStream(out, false, StandardCharsets.UTF_8);
    BuildRequest request;
    try {
      byte[] json = in.readNBytes(MAX_REQUEST + 1);
      if (json.length > MAX_REQUEST) {
        throw new IOException("the build request is larger than " + (MAX_REQUEST >> 20) + " MiB");
      }
      request = RequestCodec.read(json);
    } catch (IOException | RuntimeException e) {
      emit(lines, EventCodec.encodeError("invalid build request: " + e.getMessage()));
      return 2;
    }
    try {
      BuildResult result = Builds.run(request, event -> emit(lines, EventCodec.encode(event)));
      emit(lines, EventCodec.encodeResult(result));
      return 0;
    } catch (BuildException e) {
      emit(lines, EventCodec.encodeError(e.getMessage()));
      return 1;
    } catch (RuntimeException e) {
      emit(lines, EventCodec.encodeError("the build failed unexpectedly: " + e));
      return 1;
    }
  }

  /** Stages may run in parallel (BuildOptions.jobs), so lines are written whole, one at a time. */
  private static void emit(PrintStream lines, String line) {
    synchronized (lines) {
      lines.println(line);
      lines.flush();
    }
  }
}
