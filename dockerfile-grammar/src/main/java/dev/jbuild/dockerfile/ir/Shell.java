package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Shell(SourceSpan span, String original, List<String> args) implements Instruction {
  public Shell {
    args = List.copyOf(args);
  }
}
