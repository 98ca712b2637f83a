package dev.jbuild.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Where a container's standard streams go.
 *
 * @param in the input (used with {@code -i}; null for none)
 * @param out the output
 * @param err the error output
 * @param inherited the three are this process's own fds 0, 1 and 2: runc may use them directly, which a terminal
 *     ({@code -t}) needs and which saves a copy
 */
public record Stdio(InputStream in, OutputStream out, OutputStream err, boolean inherited) {

  /** Copies {@code from} into each of {@code to} until the end of {@code from}, on a daemon thread. */
  static Thread pump(String name, InputStream from, List<OutputStream> to, boolean closeTo) {
    Thread t = new Thread(() -> {
      try (InputStream in = from) {
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) >= 0) {
          for (OutputStream o : to) {
            synchronized (o) {
              try {
                o.write(buf, 0, n);
                o.flush();
              } catch (IOException e) {
                if (closeTo) {
                  return; // the container closed its stdin
                }
                // a closed terminal must not stop the copy into the kept log
              }
            }
          }
        }
      } catch (InterruptedIOException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // the other end went away: nothing more to copy
      } finally {
        if (closeTo) {
          for (OutputStream o : to) {
            try {
              o.close();
            } catch (IOException e) {
              // already gone
            }
          }
        }
      }
    }, "container-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
