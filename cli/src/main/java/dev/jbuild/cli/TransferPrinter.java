package dev.jbuild.cli;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.registry.EventListener;
import dev.jbuild.registry.RegistryEvent;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders registry events as plain progress lines: each blob at every quarter of its bytes, retries as
 * warnings. Events arrive from several transfer threads at once.
 */
final class TransferPrinter implements EventListener {
  private final ProgressPrinter printer;
  private final Map<String, Integer> quarters = new ConcurrentHashMap<>();

  TransferPrinter(ProgressPrinter printer) {
    this.printer = printer;
  }

  @Override
  public void onEvent(RegistryEvent event) {
    if (printer.onTransfer(event)) {
      return;
    }
    if (event instanceof RegistryEvent.BlobProgress p) {
      int quarter = p.total() <= 0 ? 4 : (int) (4 * p.transferred() / p.total());
      String key = p.direction() + " " + p.digest();
      Integer before = quarters.put(key, quarter);
      if (before == null || quarter > before) {
        synchronized (printer) {
          printer.info(String.format(Locale.ROOT, "%s %s: %s / %s", p.direction() == RegistryEvent.Direction.PULL
              ? "pull" : "push", p.digest().shortHex(), size(p.transferred()), size(p.total())));
        }
      }
    } else if (event instanceof RegistryEvent.Retrying r) {
      synchronized (printer) {
        printer.onEvent(new BuildEvent.Log(BuildEvent.Level.WARN, String.format(Locale.ROOT,
            "%s/%s: %s failed (%s); attempt %d in %.1fs", r.registry(), r.repository(), r.action(), r.reason(),
            r.attempt(), r.delay().toMillis() / 1000.0)));
      }
    } else if (event instanceof RegistryEvent.BlobSkipped s) {
      synchronized (printer) {
        printer.info(s.digest().shortHex() + ": " + s.reason());
      }
    }
  }

  static String size(long bytes) {
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
