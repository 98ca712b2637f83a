package dev.jbuild.builder.internal;

import java.util.Optional;

/**
 * How COPY --from finds an earlier stage of the same build: by name (case-insensitive) or by index ("0"), as it
 * stands after its last instruction. Empty when no earlier stage has that name, so the value is an image reference.
 */
@FunctionalInterface
interface StageLookup {
  /** A lookup for builds without multi-stage support: every --from is an image. */
  StageLookup NONE = nameOrIndex -> Optional.empty();

  Optional<StageState> stage(String nameOrIndex);
}
