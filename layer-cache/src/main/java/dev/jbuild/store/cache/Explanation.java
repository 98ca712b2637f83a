package dev.jbuild.store.cache;

import dev.jbuild.oci.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Why a step missed the cache, for {@code jbuild build --explain-cache}: the nearest earlier build of the step
 * after the same parent, and which of its fields changed.
 *
 * @param summary one line for the user, e.g. {@code args changed: VERSION=1 -> VERSION=2}
 * @param nearestKey the key of the nearest earlier entry, or null when there is none
 * @param nearestCreated when that entry was built, or null
 * @param changes the fields that differ from it, in the order of the new key's fields (removed fields last)
 */
public record Explanation(String summary, Digest nearestKey, Instant nearestCreated, List<FieldChange> changes) {
  public Explanation {
    Objects.requireNonNull(summary, "summary");
    changes = List.copyOf(changes);
  }

  /**
   * One changed field. For a map field only the entries that changed are shown, as {@code K=V}, or {@code K
   * (unset)} on the side that lacks the entry.
   *
   * @param name the field name
   * @param before the earlier rendering, or null when the earlier key had no such field
   * @param after the new rendering, or null when the new key has no such field
   */
  public record FieldChange(String name, String before, String after) {
    public FieldChange {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return name + " " + (before == null ? "added: " + after
          : after == null ? "removed (was " + before + ")"
          : "changed: " + before + " -> " + after);
    }
  }
}
