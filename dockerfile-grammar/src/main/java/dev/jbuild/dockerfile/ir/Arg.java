package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Arg(SourceSpan span, String original, List<ArgDef> args) implements Instruction {
  public Arg {
    args = List.copyOf(args);
  }
}
