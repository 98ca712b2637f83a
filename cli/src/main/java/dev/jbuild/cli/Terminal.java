package dev.jbuild.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the progress display may assume about stderr: whether it is an interactive terminal that understands ANSI
 * cursor movement, and its size. Detected once per command; tests make their own.
 *
 * @param interactive stderr is a terminal (not a pipe or file) and TERM is not {@code dumb}
 * @param width columns; lines longer than this are cut so that redrawing never wraps
 * @param height rows; the live area never takes more than this minus two
 */
record Terminal(boolean interactive, int width, int height) {
  static final Terminal NONE = new Terminal(false, 80, 24);

  Terminal {
    width = Math.max(width, 20);
    height = Math.max(height, 4);
  }

  /**
   * Whether the descriptor link {@code fd} ({@code /proc/self/fd/N}) leads to a terminal: what a Java 17 process can
   * learn of one descriptor alone, where {@link System#console} needs stdin and stdout both to be terminals.
   */
  static boolean isTerminal(java.nio.file.Path fd) {
    try {
      String target = java.nio.file.Files.readSymbolicLink(fd).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * {@code System.console()} is non-null exactly when stdin and stdout are terminals, the best a Java 17 process can
   * learn without native code; stderr is assumed to go where stdout goes, as it does in an interactive shell.
   */
  static Terminal detect(Map<String, String> env) {
    String term = env.getOrDefault("TERM", "");
    if (System.console() == null || term.isEmpty() || term.equals("dumb")) {
      return NONE;
    }
    int[] size = sttySize();
    int width = size != null ? size[1] : intOr(env.get("COLUMNS"), 80);
    int height = size != null ? size[0] : intOr(env.get("LINES"), 24);
    return new Terminal(true, width, height);
  }

  /** Rows and columns of the controlling terminal from {@code stty size}, or null. */
  private static int[] sttySize() {
    try {
      Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
      }
      if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      String[] parts = out.split("\\s+");
      if (parts.length != 2 || parts[0].equals("0") || parts[1].equals("0")) {
        return null; // a pseudo-terminal nobody sized (script, some CI runners)
      }
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (IOException | NumberFormatException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static int intOr(String value, int fallback) {
    try {
      return value == null ? fallback : Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
