package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Arg;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.dockerfile.ir.Stage;
import dev.jbuild.dockerfile.ir.Workdir;
import java.time.Duration;
import java.util.Map;

/** Runs the instructions of one stage, in order, reporting each as a step. */
final class StageRunner {
  private final StepContext ctx;
  private final ConfigInstructions config;
  private final CopyInstruction copy;
  private final Map<String, String> buildArgs;
  private final Map<String, String> globalArgs;
  private final StepCounter counter;

  StageRunner(StepContext ctx, Map<String, String> buildArgs, Map<String, String> globalArgs, StepCounter counter,
      CopySources copySources) {
    this.ctx = ctx;
    this.config = new ConfigInstructions(ctx);
    this.copy = new CopyInstruction(ctx, copySources);
    this.buildArgs = buildArgs;
    this.globalArgs = globalArgs;
    this.counter = counter;
  }

  /** Counts steps across the stages of one build, for "[3/7]" style progress. */
  static final class StepCounter {
    private final int total;
    private int next;

    StepCounter(int total) {
      this.total = total;
    }

    int next() {
      return ++next;
    }

    int total() {
      return total;
    }
  }

  void run(Stage stage, StageState state) throws BuildException {
    for (Instruction instruction : stage.instructions()) {
      int index = counter.next();
      String text = LayerCommit.createdBy(instruction);
      ctx.listener().onEvent(new BuildEvent.StepStarted(state.label(), index, counter.total(), text));
      long start = System.nanoTime();
      execute(instruction, state);
      ctx.listener().onEvent(new BuildEvent.StepFinished(state.label(), index, text, false,
          Duration.ofNanos(System.nanoTime() - start)));
    }
  }

  private void execute(Instruction instruction, StageState state) throws BuildException {
    if (instruction instanceof Copy c) {
      copy.apply(c, state);
    } else if (instruction instanceof Add a) {
      copy.apply(a, state);
    } else if (instruction instanceof Workdir w) {
      WorkdirInstruction.apply(ctx, state, w);
    } else if (instruction instanceof Arg a) {
      // BuildKit writes no history line for ARG; neither do we.
      declareArgs(a, state);
    } else if (instruction instanceof Run) {
      throw new BuildException(ctx.where(instruction)
          + ": RUN is not supported by this version of jbuild yet (it needs the rootless runtime)");
    } else if (config.apply(instruction, state)) {
      LayerCommit.emptyLayer(ctx, state, instruction);
    } else {
      throw new BuildException(ctx.where(instruction) + ": unexpected instruction " + instruction.original());
    }
  }

  private void declareArgs(Arg arg, StageState state) throws BuildException {
    for (var def : arg.args()) {
      String value;
      if (buildArgs.containsKey(def.name())) {
        value = buildArgs.get(def.name());
      } else if (def.defaultValue() != null) {
        value = ctx.expand(def.defaultValue(), state.expansionEnv(), arg);
      } else {
        value = globalArgs.get(def.name());
      }
      state.declareArg(def.name(), value);
    }
  }
}
