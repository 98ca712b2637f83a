package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Arg;
import dev.jbuild.dockerfile.ir.Cmd;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.dockerfile.ir.Workdir;
import dev.jbuild.store.cache.CacheEntry;
import dev.jbuild.store.cache.CacheKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the instructions of one stage, in order, reporting each as a step. Each step is looked up in the build cache
 * first (unless the cache is off for this stage) and recorded in it after it ran.
 */
final class StageRunner {
  private final StepContext ctx;
  private final ConfigInstructions config;
  private final CopyInstruction copy;
  private final RunInstruction run;
  private final RunMounts mounts;
  private final Map<String, String> buildArgs;
  private final Map<String, String> globalArgs;
  private final StepCounter counter;
  private final StageLookup stages;
  private final StepCache cache;
  private final boolean useCache;
  private final CopySources copySources;

  StageRunner(StepContext ctx, BuildOptions options, Map<String, String> globalArgs, StepCounter counter,
      StageLookup stages, StepCache cache, boolean useCache, CopySources copySources) {
    this.ctx = ctx;
    this.config = new ConfigInstructions(ctx);
    this.copy = new CopyInstruction(ctx, copySources);
    this.copySources = copySources;
    this.mounts = new RunMounts(ctx, options, stages, copySources);
    this.run = new RunInstruction(ctx, mounts, options.ociRuntime());
    this.buildArgs = options.buildArgs();
    this.globalArgs = globalArgs;
    this.counter = counter;
    this.stages = stages;
    this.cache = cache;
    this.useCache = useCache;
  }

  /** Counts steps across the stages of one build, for "[3/7]" style progress; shared by parallel stages. */
  static final class StepCounter {
    private final int total;
    private final AtomicInteger next = new AtomicInteger();

    StepCounter(int total) {
      this.total = total;
    }

    int next() {
      return next.incrementAndGet();
    }

    int total() {
      return total;
    }
  }

  void run(List<Instruction> instructions, StageState state) throws BuildException {
    for (int i = 0; i < instructions.size(); i++) {
      Instruction instruction = instructions.get(i);
      // A layer with a RUN after it will be a lower dir of that RUN's overlay: worth extracting as it is written.
      state.setTreeWanted(instructions.subList(i + 1, instructions.size()).stream().anyMatch(x -> x instanceof Run));
      int index = counter.next();
      String text = LayerCommit.createdBy(instruction);
      ctx.listener().onEvent(new BuildEvent.StepStarted(state.label(), index, counter.total(), text));
      long start = System.nanoTime();
      boolean cached = step(instruction, state, index);
      ctx.listener().onEvent(new BuildEvent.StepFinished(state.label(), index, text, cached,
          Duration.ofNanos(System.nanoTime() - start)));
    }
  }

  /** Runs or restores one step; true when it came from the cache. */
  private boolean step(Instruction instruction, StageState state, int index) throws BuildException {
    if (instruction instanceof Arg a) {
      // BuildKit writes no history line for ARG and caches nothing: it only changes what later steps see.
      declareArgs(a, state);
      return false;
    }
    Optional<String> sources = instruction instanceof Copy || instruction instanceof Add
        ? Optional.of(copy.inputsDigest(instruction, state)) : Optional.of("");
    CacheKey key = null;
    if (sources.isPresent()) {
      String mountKey = instruction instanceof Run r ? mounts.keyMaterial(r, state) : null;
      key = cache.key(instruction, state, sources.get().isEmpty() ? null : sources.get(), mountKey);
      if (useCache) {
        Optional<CacheEntry> hit = cache.lookup(key);
        if (hit.isPresent()) {
          cache.restore(hit.get(), state, instruction);
          if (instruction instanceof Cmd) {
            state.markCmdSet();
          }
          return true;
        }
        if (makesLayer(instruction)) {
          Optional<String> why = cache.explain(key);
          if (why.isPresent()) {
            ctx.listener().onEvent(new BuildEvent.CacheMiss(state.label(), index, why.get()));
          }
        }
      }
    }
    int layersBefore = state.layers().size();
    execute(instruction, state, index);
    if (key != null) {
      cache.record(key, layersBefore, state, ctx.timestamp(), !useCache);
    }
    return false;
  }

  private static boolean makesLayer(Instruction i) {
    return i instanceof Run || i instanceof Copy || i instanceof Add;
  }

  private void execute(Instruction instruction, StageState state, int index) throws BuildException {
    if (instruction instanceof Copy c) {
      copy.apply(c, state);
    } else if (instruction instanceof Add a) {
      copy.apply(a, state);
    } else if (instruction instanceof Workdir w) {
      WorkdirInstruction.apply(ctx, state, w, copySources);
    } else if (instruction instanceof Run r) {
      try (RunMounts.Prepared prepared = mounts.prepare(r, state)) {
        run.apply(r, state, index, prepared);
      }
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
