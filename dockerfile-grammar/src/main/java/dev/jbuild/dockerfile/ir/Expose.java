package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Expose(SourceSpan span, String original, List<String> ports) implements Instruction {
  public Expose {
    ports = List.copyOf(ports);
  }
}
