package dev.jbuild.store.admin;

import java.util.List;

/**
 * What {@link StoreCheck} found, and what it repaired.
 *
 * @param problems one line per problem, in the order found
 * @param removedTags tags that repair removed because their image was broken
 * @param blobs blobs hashed
 * @param images index.json entries verified
 * @param compressionRecords compression records verified
 * @param snapshots snapshot directories looked at
 */
public record CheckReport(
    List<Problem> problems, List<String> removedTags, int blobs, int images, int compressionRecords, int snapshots) {

  public CheckReport {
    problems = List.copyOf(problems);
    removedTags = List.copyOf(removedTags);
  }

  /** True when there was nothing wrong, or everything wrong was repaired. */
  public boolean clean() {
    return problems.stream().allMatch(Problem::repaired);
  }

  /**
   * One problem.
   *
   * @param object what is at fault, relative to the store root or as an image name ({@code blobs/sha256/ab..},
   *     {@code image app:1})
   * @param problem what is wrong with it
   * @param repair what repair did about it, or null when nothing was done
   */
  public record Problem(String object, String problem, String repair) {
    public boolean repaired() {
      return repair != null;
    }

    /** {@code OBJECT: PROBLEM}, then {@code (repaired: REPAIR)} when repaired. */
    @Override
    public String toString() {
      return object + ": " + problem + (repair != null ? " (repaired: " + repair + ")" : "");
    }
  }
}
