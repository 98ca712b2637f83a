package dev.jbuild.cli;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.registry.RegistryEvent;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A live view in the spirit of BuildKit's tty progress. Finished steps and log lines are printed once, for good;
 * below them a live area is redrawn in place (ANSI cursor up, clear to end of line, clear below):
 *
 * <pre>
 *  => [stage-0 1/4] FROM busybox:1                                  0.1s
 *  => CACHED [stage-0 2/4] COPY a.txt /                              0.0s
 * [+] Building 2.3s (2/4)
 *  => [stage-0 3/4] RUN make                                         2.1s
 *  => => # cc -c main.c
 *  => => pull sha256:0123456789ab [=========>          ] 1.2 MiB / 2.5 MiB
 * </pre>
 *
 * <p>Only the live area is ever redrawn, and every line of it is cut to the terminal width, so the cursor
 * arithmetic holds however long the build is. A finished build ends with a plain summary line.
 */
final class TtyProgress extends ProgressPrinter {
  /** Output lines kept per running step. */
  static final int TAIL = 6;
  private static final long FRAME_NANOS = 100_000_000L;
  private static final String CSI = "\033[";

  private final Terminal terminal;
  private final Map<Integer, Deque<String>> tails = new HashMap<>();
  private final Map<Integer, Long> started = new HashMap<>();
  private final Map<String, RegistryEvent.BlobProgress> transfers = new LinkedHashMap<>();
  /** Lines to print above the live area at the next redraw, for good. */
  private final List<String> pending = new ArrayList<>();
  private final ScheduledExecutorService ticker;
  private int total;
  private int finished;
  private int liveLines;
  private long lastDraw = Long.MIN_VALUE;
  private boolean closed;

  /**
   * @param animate redraw every 100 ms so running timers move; tests pass false and draw through events
   */
  TtyProgress(PrintWriter err, Terminal terminal, LongSupplier clock, boolean animate) {
    super(err, false, clock);
    this.terminal = terminal;
    if (animate) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jbuild-progress");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(this::tick, FRAME_NANOS, FRAME_NANOS, TimeUnit.NANOSECONDS);
    } else {
      ticker = null;
    }
  }

  private synchronized void tick() {
    if (!closed && (!running.isEmpty() || !transfers.isEmpty())) {
      draw();
    }
  }

  @Override
  void render(BuildEvent event) {
    if (event instanceof BuildEvent.StepStarted s) {
      total = Math.max(total, s.total());
      started.put(s.index(), clock.getAsLong());
      tails.put(s.index(), new ArrayDeque<>());
    } else if (event instanceof BuildEvent.StepFinished f) {
      finished++;
      started.remove(f.index());
      tails.remove(f.index());
      String label = "[" + f.stage() + " " + f.index() + "/" + total + "] " + f.instruction();
      pending.add(withTime(" => " + (f.cached() ? "CACHED " : "") + label,
          f.cached() ? "0.0s" : seconds(f.took().toNanos())));
    } else if (event instanceof BuildEvent.Output o) {
      Deque<String> tail = tails.get(o.index());
      if (tail != null) {
        tail.addLast(o.line());
        if (tail.size() > TAIL) {
          tail.removeFirst();
        }
      }
    } else if (event instanceof BuildEvent.Log log) {
      if (log.level() == BuildEvent.Level.DEBUG) {
        return;
      }
      pending.add(cut((log.level() == BuildEvent.Level.WARN ? "WARNING: " : "") + log.message()));
    } else {
      return; // cache misses are for plain and json; the live view stays short
    }
    maybeDraw(event instanceof BuildEvent.Output);
  }

  @Override
  synchronized boolean onTransfer(RegistryEvent event) {
    if (event instanceof RegistryEvent.BlobProgress p) {
      String key = p.direction() + " " + p.digest();
      if (p.total() > 0 && p.transferred() >= p.total()) {
        transfers.remove(key);
      } else {
        transfers.put(key, p);
      }
      maybeDraw(true);
      return true;
    }
    if (event instanceof RegistryEvent.BlobSkipped) {
      return true; // a blob already there is not worth a line in the live view
    }
    return false;
  }

  /** Draws now, unless {@code throttle} and a frame was drawn less than 100 ms ago (the ticker catches up). */
  private void maybeDraw(boolean throttle) {
    long now = clock.getAsLong();
    if (!throttle || lastDraw == Long.MIN_VALUE || now - lastDraw >= FRAME_NANOS || ticker == null) {
      draw();
    }
  }

  /** Replaces the live area: pending lines first (they stay), then the live lines. */
  synchronized void draw() {
    if (closed) {
      // After the summary (exports, pushes): plain lines, nothing is redrawn any more.
      pending.forEach(err::println);
      pending.clear();
      err.flush();
      return;
    }
    lastDraw = clock.getAsLong();
    StringBuilder b = new StringBuilder();
    rewind(b);
    for (String line : pending) {
      b.append(line).append(CSI).append("K\n");
    }
    pending.clear();
    List<String> live = liveLines();
    for (String line : live) {
      b.append(line).append(CSI).append("K\n");
    }
    b.append(CSI).append('J');
    liveLines = live.size();
    err.print(b);
    err.flush();
  }

  /** Moves the cursor to the start of the live area drawn last. */
  private void rewind(StringBuilder b) {
    b.append('\r');
    if (liveLines > 0) {
      b.append(CSI).append(liveLines).append('A');
    }
  }

  private List<String> liveLines() {
    long now = clock.getAsLong();
    List<String> steps = new ArrayList<>();
    List<String> logs = new ArrayList<>();
    String header = String.format(Locale.ROOT, "[+] Building %s (%d/%d)", seconds(now - start), finished,
        Math.max(total, finished));
    for (BuildEvent.StepStarted s : running.values()) {
      long begin = started.getOrDefault(s.index(), now);
      steps.add(withTime(" => [" + s.stage() + " " + s.index() + "/" + s.total() + "] " + s.instruction(),
          seconds(now - begin)));
      for (String line : tails.getOrDefault(s.index(), new ArrayDeque<>())) {
        steps.add(cut(" => => # " + printable(line)));
      }
    }
    for (RegistryEvent.BlobProgress p : transfers.values()) {
      logs.add(transferLine(p));
    }
    List<String> out = new ArrayList<>();
    out.add(cut(header));
    out.addAll(steps);
    out.addAll(logs);
    int max = terminal.height() - 2;
    if (out.size() > max) {
      List<String> kept = new ArrayList<>(out.subList(0, max - 1));
      kept.add(cut(" => ... " + (out.size() - max + 1) + " more lines"));
      return kept;
    }
    return out;
  }

  private String transferLine(RegistryEvent.BlobProgress p) {
    String verb = p.direction() == RegistryEvent.Direction.PULL ? "pull" : "push";
    String amount = TransferPrinter.size(p.transferred()) + " / " + TransferPrinter.size(p.total());
    int barWidth = 20;
    int filled = p.total() <= 0 ? 0 : (int) Math.min(barWidth, barWidth * p.transferred() / p.total());
    String bar = "[" + "=".repeat(filled) + (filled < barWidth ? ">" + " ".repeat(barWidth - filled - 1) : "") + "]";
    return cut(" => => " + verb + " " + p.digest().shortHex() + " " + bar + " " + amount);
  }

  /** {@code left} and {@code right} on one line of the terminal's width, {@code right} against the edge. */
  private String withTime(String left, String right) {
    int width = terminal.width() - 1;
    int room = width - right.length() - 1;
    String l = printable(left);
    if (l.length() > room) {
      l = l.substring(0, Math.max(0, room - 3)) + "...";
    }
    return l + " ".repeat(Math.max(1, width - l.length() - right.length())) + right;
  }

  /** Cut to the terminal width, so that no line wraps and the cursor arithmetic holds. */
  private String cut(String line) {
    String l = printable(line);
    int width = terminal.width() - 1;
    return l.length() <= width ? l : l.substring(0, Math.max(0, width - 3)) + "...";
  }

  /** Control characters of the build's own output would move our cursor: show them as '?'. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
    }
    return b.toString();
  }

  @Override
  synchronized void failed(String message) {
    long now = clock.getAsLong();
    for (BuildEvent.StepStarted s : stepsFailed()) {
      long begin = started.getOrDefault(s.index(), now);
      pending.add(withTime(" => ERROR [" + s.stage() + " " + s.index() + "/" + s.total() + "] " + s.instruction(),
          seconds(now - begin)));
      for (String line : tails.getOrDefault(s.index(), new ArrayDeque<>())) {
        pending.add(cut(" => => # " + printable(line)));
      }
    }
    transfers.clear();
    finish(String.format(Locale.ROOT, "[+] Building %s (%d/%d) FAILED", seconds(now - start), finished,
        Math.max(total, finished)));
  }

  @Override
  synchronized void done(BuildResult result) {
    long now = clock.getAsLong();
    transfers.clear();
    finish(String.format(Locale.ROOT, "[+] Building %s (%d/%d) FINISHED", seconds(now - start), finished,
        Math.max(total, finished)));
    err.printf(Locale.ROOT, "built %s in %.2fs%n", result.manifest().digest(), (now - start) / 1e9);
    err.flush();
  }

  /** Prints what is pending and {@code summary} in place of the live area, then stops redrawing. */
  private void finish(String summary) {
    if (closed) {
      return;
    }
    pending.add(summary);
    close();
  }

  @Override
  synchronized void close() {
    if (!closed && (liveLines > 0 || !pending.isEmpty())) {
      // Pending lines stay; the last frame goes: the summary or the error that follows says how it ended.
      StringBuilder b = new StringBuilder();
      rewind(b);
      for (String line : pending) {
        b.append(line).append(CSI).append("K\n");
      }
      b.append(CSI).append('J');
      pending.clear();
      liveLines = 0;
      err.print(b);
      err.flush();
    }
    closed = true;
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}
