package dev.jbuild.dockerfile.ir;

/** One Dockerfile instruction; values are raw (unexpanded) so the builder expands with its own scope. */
public sealed interface Instruction
    permits From, Run, Cmd, Label, Maintainer, Expose, Env, Add, Copy, Entrypoint, Volume, User, Workdir, Arg,
    Onbuild, StopSignal, Healthcheck, Shell {
  SourceSpan span();

  /** The source text, continuation-joined, as BuildKit keeps it (history "created_by"). */
  String original();
}
