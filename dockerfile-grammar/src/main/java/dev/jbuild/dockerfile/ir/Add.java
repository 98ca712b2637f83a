package dev.jbuild.dockerfile.ir;

import java.util.List;

/** {@code sources} are the paths/URLs; heredoc sources are in {@code heredocs}. {@code unpack} null = default. */
public record Add(SourceSpan span, String original, List<String> sources, String destination, String chown,
          String chmod, boolean link, List<String> excludes, String checksum, boolean keepGitDir,
          Boolean unpack, List<Heredoc> heredocs) implements Instruction {
  public Add {
    sources = List.copyOf(sources);
    excludes = List.copyOf(excludes);
    heredocs = List.copyOf(heredocs);
  }
}
