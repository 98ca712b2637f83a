package dev.jbuild.runtime;

import dev.jbuild.store.tar.LayerEntry;
import java.util.List;

/**
 * How a container ended.
 *
 * @param exitCode the container's exit code (128+N when killed by signal N)
 * @param changes what it changed, as layer entries with OCI whiteouts (empty when changes were not asked for);
 *     regular files' sources point into the upper dir, which is gone once {@link Containers#run} returns, so write
 *     them through the {@code onChanges} callback
 */
public record RunResult(int exitCode, List<LayerEntry> changes) {
  public RunResult {
    changes = List.copyOf(changes);
  }
}
