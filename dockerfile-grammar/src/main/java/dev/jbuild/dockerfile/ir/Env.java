package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Env(SourceSpan span, String original, List<KeyValue> pairs) implements Instruction {
  public Env {
    pairs = List.copyOf(pairs);
  }
}
