package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.expand.ShellLex;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.store.Store;
import dev.jbuild.store.cache.ContextHasher;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every step of one build shares: the store, the context, the clock and the expander.
 *
 * @param triggers where each ONBUILD trigger the build runs came from (by identity: the instructions parsed out of
 *     a base image's config have no line of their own in this Dockerfile)
 */
record StepContext(
    Store store, BuildContext context, String dockerfileName, ShellLex lex, Instant timestamp,
    Instant sourceDateEpoch, BuildListener listener, ContextHasher hasher, Map<Instruction, String> triggers) {

  StepContext(Store store, BuildContext context, String dockerfileName, ShellLex lex, Instant timestamp,
      Instant sourceDateEpoch, BuildListener listener, ContextHasher hasher) {
    this(store, context, dockerfileName, lex, timestamp, sourceDateEpoch, listener, hasher,
        Collections.synchronizedMap(new IdentityHashMap<>()));
  }

  /** The same context with another timestamp: a step taken from the cache keeps the time it was first made. */
  StepContext at(Instant newTimestamp) {
    return new StepContext(store, context, dockerfileName, lex, newTimestamp, sourceDateEpoch, listener, hasher,
        triggers);
  }

  /**
   * {@code Dockerfile:7}, the prefix of every error about an instruction; for an ONBUILD trigger, the line of the
   * FROM that brought it in and the trigger itself: {@code Dockerfile:3 (ONBUILD RUN make, from the base image)}.
   */
  String where(Instruction instruction) {
    String trigger = triggers.get(instruction);
    return trigger != null ? trigger : dockerfileName + ":" + instruction.span().startLine();
  }

  /** Records that {@code trigger} came from the base image of the FROM at {@code fromLine}, as {@code text}. */
  void markTrigger(Instruction trigger, int fromLine, String text) {
    triggers.put(trigger, dockerfileName + ":" + fromLine + " (ONBUILD " + text + ", from the base image)");
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
