package dev.jbuild.dockerfile.ir;

import java.util.List;

/** {@code sources} are the paths; heredoc sources ({@code <<EOF}) are in {@code heredocs} instead. */
public record Copy(SourceSpan span, String original, List<String> sources, String destination, String from,
           String chown, String chmod, boolean link, List<String> excludes, boolean parents,
           List<Heredoc> heredocs) implements Instruction {
  public Copy {
    sources = List.copyOf(sources);
    excludes = List.copyOf(excludes);
    heredocs = List.copyOf(heredocs);
  }
}
