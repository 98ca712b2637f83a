package dev.jbuild.dockerfile.ir;

import java.util.List;

/** A build stage: its FROM and the instructions after it. {@code name} is lowercased, or null. */
public record Stage(int index, String name, From from, List<Instruction> instructions) {
  public Stage {
    instructions = List.copyOf(instructions);
  }
}
