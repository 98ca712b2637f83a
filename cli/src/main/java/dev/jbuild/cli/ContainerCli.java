package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerException;
import dev.jbuild.runtime.ContainerRecord;
import dev.jbuild.runtime.ContainerRuntime;
import dev.jbuild.runtime.Stdio;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;

/** What the container commands share: docker's exit code 125 for jbuild's own errors, stdio, signal forwarding. */
final class ContainerCli {
  /** docker's code when the CLI itself fails (bad option values, missing image, runtime errors). */
  static final int ERROR = 125;

  private ContainerCli() {}

  /** Runs {@code body}, turning a failure into one line on stderr and exit 125, as docker run does. */
  static int guarded(CommandSpec spec, boolean debug, Callable<Integer> body) {
    try {
      return body.call();
    } catch (Exception e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("jbuild: error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      if (debug || (e instanceof RuntimeException && !(e instanceof Errors.UserError))) {
        e.printStackTrace(err);
      }
      err.flush();
      return e instanceof dev.jbuild.runtime.ContainerStartException s ? s.exitCode() : ERROR;
    }
  }

  /** The process's own streams when jbuild runs as a command; the captured writers when embedded (tests). */
  static Stdio stdio(CommandSpec spec, boolean real) {
    if (real) {
      return new Stdio(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
          new FileOutputStream(FileDescriptor.err), true);
    }
    return new Stdio(null, new WriterStream(spec.commandLine().getOut()), new WriterStream(spec.commandLine().getErr()),
        false);
  }

  /**
   * Whether jbuild has a controlling terminal, which runc, attached with -t, opens as /dev/tty to proxy the
   * container's terminal through.
   */
  static boolean hasControllingTerminal() {
    try (java.io.FileInputStream tty = new java.io.FileInputStream("/dev/tty")) {
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Whether stdin is a terminal (docker refuses -it otherwise). */
  static boolean stdinIsTerminal() {
    return Terminal.isTerminal(Path.of("/proc/self/fd/0"));
  }

  /**
   * Forwards SIGINT and SIGTERM (and SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2) sent to jbuild to the container's process,
   * as docker's sig-proxy does; the container's exit then ends jbuild with its code.
   */
  static void forwardSignals(ContainerRuntime runtime, ContainerRecord record) {
    for (String name : new String[] {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2"}) {
      try {
        Signal.handle(new Signal(name), s -> {
          Thread t = new Thread(() -> {
            try {
              runtime.kill(record, name);
            } catch (ContainerException e) {
              // not started yet, or already gone
            }
          }, "forward-SIG" + name);
          t.setDaemon(true);
          t.start();
        });
      } catch (IllegalArgumentException e) {
        // the JVM reserves this one (e.g. QUIT with -Xrs off): not forwarded
      }
    }
  }

  /** Bytes from a container into a captured writer, decoded as UTF-8 across chunk boundaries. */
  static final class WriterStream extends OutputStream {
    private final PrintWriter writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(8);

    WriterStream(PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      ByteBuffer in = ByteBuffer.allocate(pending.position() + len);
      pending.flip();
      in.put(pending).put(b, off, len).flip();
      pending.clear();
      CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
      decoder.decode(in, out, false);
      pending.put(in); // an incomplete character waits for the next chunk
      writer.write(out.flip().toString());
    }

    @Override
    public void flush() {
      writer.flush();
    }
  }
}
