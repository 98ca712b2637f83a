package dev.jbuild.builder.internal;

import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.tar.LayerEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one COPY or ADD will write, worked out without writing anything: the layer entries by in-image path, which
 * of them take their bytes from the build context or a named directory (hashed through its stat cache), and the
 * facts about remote sources that the entries alone do not show (URL, commit).
 */
final class CopyPlan {
  final TreeMap<String, LayerEntry> entries = new TreeMap<>();
  /** The regular-file entries whose bytes come from a host file, with an lstat of that file (for hard links). */
  final Map<String, ContextHasher.FileStat> hostFiles = new HashMap<>();
  /**
   * The entries whose bytes come from a directory with a stat cache (the build context, a directory named context),
   * with that cache; their walk's lstat is in {@link #hostFiles}.
   */
  final Map<String, ContextHasher> statCached = new HashMap<>();
  final List<String> facts = new ArrayList<>();
  final boolean independent;

  CopyPlan(boolean independent) {
    this.independent = independent;
  }
}
