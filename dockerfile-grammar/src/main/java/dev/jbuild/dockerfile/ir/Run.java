package dev.jbuild.dockerfile.ir;

import java.util.List;

public record Run(SourceSpan span, String original, Command command, List<RunMount> mounts, String network,
          String security, List<Heredoc> heredocs) implements Instruction {
  public Run {
    mounts = List.copyOf(mounts);
    heredocs = List.copyOf(heredocs);
  }
}
