package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Label(SourceSpan span, String original, List<KeyValue> pairs) implements Instruction {
  public Label {
    pairs = List.copyOf(pairs);
  }
}
