package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Volume(SourceSpan span, String original, List<String> paths) implements Instruction {
  public Volume {
    paths = List.copyOf(paths);
  }
}
