package dev.jbuild.dockerfile.ir;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A parsed Dockerfile: directives, the ARGs before the first FROM, and the build stages. */
public record Dockerfile(String fileName, List<Directive> directives, List<Arg> globalArgs, List<Stage> stages) {
  public Dockerfile {
    directives = List.copyOf(directives);
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
  }

  /** A stage by name (case-insensitive) or, when {@code nameOrIndex} is a number, by index. */
  public Optional<Stage> stage(String nameOrIndex) {
    if (nameOrIndex == null) {
      return Optional.empty();
    }
    String wanted = nameOrIndex.toLowerCase(Locale.ROOT);
    for (Stage stage : stages) {
      if (wanted.equals(stage.name())) {
        return Optional.of(stage);
      }
    }
    if (!wanted.isEmpty() && wanted.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        int index = Integer.parseInt(wanted);
        if (index < stages.size()) {
          return Optional.of(stages.get(index));
        }
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
