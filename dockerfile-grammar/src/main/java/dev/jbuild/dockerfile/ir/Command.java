package dev.jbuild.dockerfile.ir;

import java.util.List;

/**
 * A command line: exec (JSON) form holds the elements; shell form holds exactly one element,
 * the rest of the logical line, to be run by the stage's SHELL.
 */
public record Command(boolean execForm, List<String> args) {
  public Command {
    args = List.copyOf(args);
  }
}
