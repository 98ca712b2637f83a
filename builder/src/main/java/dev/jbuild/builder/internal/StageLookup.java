package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Instruction;
import java.util.Optional;

/** How a step reaches other stages and images: {@code COPY --from}, {@code RUN --mount=...,from=}. */
interface StageLookup {
  /** For builds without other stages: nothing is a stage, and images cannot be reached. */
  StageLookup NONE = new StageLookup() {
    @Override
    public Optional<StageState> stage(String nameOrIndex) {
      return Optional.empty();
    }

    @Override
    public StageState image(String reference, Instruction at) throws BuildException {
      throw new BuildException("image " + reference + " cannot be used here");
    }
  };

  /**
   * The finished state of the stage named {@code nameOrIndex} (a name, case-insensitive, or a number).
   *
   * @throws BuildException (without a location) when it names a stage the build was not planned to run first
   */
  Optional<StageState> stage(String nameOrIndex) throws BuildException;

  /** The image {@code reference} as a read-only state, from the store or pulled; {@code at} names errors. */
  StageState image(String reference, Instruction at) throws BuildException;

  /**
   * The directory of a named context called {@code name}, if there is one: {@code --build-context NAME=DIR}, or a
   * git repository or tarball URL fetched into a directory of the build when first asked for.
   */
  default Optional<java.nio.file.Path> directory(String name) throws BuildException {
    return Optional.empty();
  }

  /** The image reference {@code name} stands for ({@code --build-context NAME=docker-image://REF}), else itself. */
  default String imageReference(String name) {
    return name;
  }

  /** A stage when {@code ref} names one, the image {@code ref} otherwise. */
  default StageState stageOrImage(String ref, Instruction at) throws BuildException {
    Optional<StageState> s = stage(ref);
    return s.isPresent() ? s.get() : image(ref, at);
  }
}
