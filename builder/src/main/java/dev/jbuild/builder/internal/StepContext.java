package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.expand.ShellLex;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.store.Store;
import dev.jbuild.store.cache.ContextHasher;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What every step of one build shares: the store, the context, the clock and the expander. */
record StepContext(
    Store store, BuildContext context, String dockerfileName, ShellLex lex, Instant timestamp,
    Instant sourceDateEpoch, BuildListener listener, ContextHasher hasher) {

  /** The same context with another timestamp: a step taken from the cache keeps the time it was first made. */
  StepContext at(Instant newTimestamp) {
    return new StepContext(store, context, dockerfileName, lex, newTimestamp, sourceDateEpoch, listener, hasher);
  }

  /** {@code Dockerfile:7}, the prefix of every error about an instruction. */
  String where(Instruction instruction) {
    return dockerfileName + ":" + instruction.span().startLine();
  }

  String expand(String word, Map<String, String> env, Instruction instruction) throws BuildException {
    try {
      return lex.processWord(word, env);
    } catch (DockerfileException e) {
      throw new BuildException(where(instruction) + ": " + e.getMessage(), e);
    }
  }

  List<String> expandAll(List<String> words, Map<String, String> env, Instruction instruction)
      throws BuildException {
    List<String> out = new java.util.ArrayList<>();
    for (String w : words) {
      out.add(expand(w, env, instruction));
    }
    return out;
  }
}
