package dev.jbuild.builder.internal;

import dev.jbuild.builder.BaseImagePuller;
import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.expand.BuiltinArgs;
import dev.jbuild.dockerfile.expand.ShellLex;
import dev.jbuild.dockerfile.ir.Arg;
import dev.jbuild.dockerfile.ir.Directive;
import dev.jbuild.dockerfile.ir.Stage;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.cache.BuildCache;
import dev.jbuild.store.cache.ContextHasher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One build: parse, plan the stages the target needs, run them, write config and manifest, tag. */
public final class Build {
  private static final long MAX_DOCKERFILE = 10L << 20;

  private final Store store;
  private final BaseImagePuller puller;
  private final BuildListener listener;
  private final BuildOptions options;
  private final Map<Integer, StageState> built = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Set<String> consumedArgs = new java.util.HashSet<>();
  private final Map<String, StageState> images = new java.util.concurrent.ConcurrentHashMap<>();
  private StepCache stepCache;
  private Dockerfile dockerfile;
  private Platform platform;
  private StepContext stepContext;
  private CopySources copySources;
  private NamedContexts named = NamedContexts.NONE;

  public Build(Store store, BaseImagePuller puller, BuildListener listener, BuildOptions options) {
    this.store = store;
    this.puller = puller;
    this.listener = listener;
    this.options = options;
  }

  public BuildResult run() throws BuildException {
    List<ImageReference> tags = parseTags();
    named = NamedContexts.parse(options.buildContexts());
    try (BuildContext context = options.contextTar() != null
        ? BuildContext.fromTar(options.contextTar(), options.dockerfile(), store.root().resolve("tmp"))
        : BuildContext.open(options.contextDir(), options.dockerfile())) {
      return run(tags, context);
    } finally {
      if (copySources != null) {
        copySources.close();
      }
    }
  }

  private BuildResult run(List<ImageReference> tags, BuildContext context) throws BuildException {
    Path dockerfilePath = context.dockerfile();
    String name = displayName(dockerfilePath, context);
    Dockerfile dockerfile = parse(dockerfilePath, name);
    char escape = '\\';
    for (Directive d : dockerfile.directives()) {
      if (d.name().equalsIgnoreCase("escape") && !d.value().isEmpty()) {
        escape = d.value().charAt(0);
      }
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant epoch = options.sourceDateEpoch();
    ContextHasher hasher;
    BuildCache cache;
    try {
      hasher = ContextHasher.open(store, context.root());
      cache = BuildCache.open(store);
    } catch (StoreException e) {
      throw new BuildException("cannot open the build cache: " + e.getMessage(), e);
    }
    StepContext ctx = new StepContext(store, context, name, new ShellLex(escape), epoch != null ? epoch : now, epoch,
        listener, hasher);
    this.stepCache = new StepCache(cache, ctx);

    Platform platform = targetPlatform();
    this.dockerfile = dockerfile;
    this.platform = platform;
    this.stepContext = ctx;
    copySources = new CopySources(store, puller, lookup(), platform, listener);
    Map<String, String> globalArgs = globalArgs(dockerfile, ctx, platform);
    Stage target = selectTarget(dockerfile, name);
    List<Stage> needed = new ArrayList<>();
    collectNeeded(dockerfile, target, needed, new java.util.ArrayList<>(), globalArgs, ctx);
    int total = 0;
    for (Stage s : needed) {
      total += s.instructions().size() + 1;
    }
    StageRunner.StepCounter counter = new StageRunner.StepCounter(total);
    StageState finalState = runStages(dockerfile, needed, ctx, globalArgs, platform, counter);
    for (Stage stage : needed) {
      stage.instructions().stream().filter(i -> i instanceof Arg)
          .forEach(i -> ((Arg) i).args().forEach(def -> consumedArgs.add(def.name())));
    }
    warnUnusedBuildArgs();
    try {
      if (!context.temporary()) { // a streamed context's temp paths would never be seen again
        hasher.save();
      }
    } catch (StoreException e) {
      listener.onEvent(new BuildEvent.Log(BuildEvent.Level.WARN, "cannot save the context stat cache: "
          + e.getMessage()));
    }
    return finish(finalState, tags, ctx);
  }

  /**
   * BuildKit's warning for a --build-arg no ARG consumed, which is usually a typo. The predefined proxy ARGs are
   * exempt: they may be passed to any build without a declaration.
   */
  private void warnUnusedBuildArgs() {
    List<String> unused = new ArrayList<>();
    for (String name : options.buildArgs().keySet()) {
      if (!consumedArgs.contains(name) && !BuiltinArgs.PREDEFINED_ARGS.contains(name)
          && !name.equals("SOURCE_DATE_EPOCH")) {
        unused.add(name);
      }
    }
    if (!unused.isEmpty()) {
      unused.sort(null);
      listener.onEvent(new BuildEvent.Log(BuildEvent.Level.WARN,
          "one or more build args were not consumed: " + String.join(", ", unused)));
    }
  }

  private List<ImageReference> parseTags() throws BuildException {
    List<ImageReference> refs = new ArrayList<>();
    for (String tag : options.tags()) {
      try {
        ImageReference ref = ImageReference.parse(tag);
        if (ref.digest() != null) {
          throw new BuildException("invalid tag \"" + tag + "\": a tag cannot carry a digest");
        }
        refs.add(ref);
      } catch (InvalidReferenceException e) {
        throw new BuildException("invalid tag: " + e.getMessage(), e);
      }
    }
    return refs;
  }

  private static String displayName(Path dockerfile, BuildContext context) {
    Path abs = dockerfile.toAbsolutePath().normalize();
    return abs.startsWith(context.root()) ? context.root().relativize(abs).toString() : dockerfile.toString();
  }

  private Dockerfile parse(Path path, String name) throws BuildException {
    try {
      if (Files.isDirectory(path)) {
        throw new BuildException("Cannot locate specified Dockerfile: " + path + " is a directory");
      }
      if (Files.size(path) > MAX_DOCKERFILE) {
        throw new BuildException(name + ": Dockerfile larger than " + (MAX_DOCKERFILE >> 20) + " MiB");
      }
      String source = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
      return DockerfileParser.parse(source, name);
    } catch (NoSuchFileException e) {
      throw new BuildException("Cannot locate specified Dockerfile: " + path);
    } catch (IOException e) {
      throw new BuildException("cannot read Dockerfile " + path + ": " + e.getMessage(), e);
    } catch (DockerfileException e) {
      throw new BuildException(e.getMessage(), e);
    }
  }

  private Platform targetPlatform() throws BuildException {
    if (options.platform() == null) {
      return Platform.host();
    }
    try {
      return Platform.parse(options.platform());
    } catch (OciException e) {
      throw new BuildException(e.getMessage(), e);
    }
  }

  /** ARGs before the first FROM, plus BuildKit's automatic platform ARGs. */
  private Map<String, String> globalArgs(Dockerfile dockerfile, StepContext ctx, Platform platform)
      throws BuildException {
    Map<String, String> scope = new LinkedHashMap<>();
    Platform build = Platform.host();
    putPlatform(scope, "TARGET", platform);
    putPlatform(scope, "BUILD", build);
    for (Arg arg : dockerfile.globalArgs()) {
      for (var def : arg.args()) {
        consumedArgs.add(def.name());
        if (options.buildArgs().containsKey(def.name())) {
          scope.put(def.name(), options.buildArgs().get(def.name()));
        } else if (def.defaultValue() != null) {
          scope.put(def.name(), ctx.expand(def.defaultValue(), scope, arg));
        } else {
          scope.putIfAbsent(def.name(), null);
        }
      }
    }
    return scope;
  }

  private static void putPlatform(Map<String, String> scope, String prefix, Platform p) {
    scope.put(prefix + "PLATFORM", p.toString());
    scope.put(prefix + "OS", p.os());
    scope.put(prefix + "ARCH", p.architecture());
    scope.put(prefix + "VARIANT", p.variant() == null ? "" : p.variant());
  }

  private Stage selectTarget(Dockerfile dockerfile, String name) throws BuildException {
    if (options.target() == null) {
      return dockerfile.stages().get(dockerfile.stages().size() - 1);
    }
    Optional<Stage> stage = dockerfile.stage(options.target());
    if (stage.isEmpty()) {
      throw new BuildException(name + ": target stage \"" + options.target() + "\" could not be found");
    }
    return stage.get();
  }

  /**
   * The target and the stages it needs (its base, COPY --from and RUN --mount from= stages), in dependency order.
   * A cycle is an error naming the stage where it closes.
   */
  private void collectNeeded(Dockerfile dockerfile, Stage stage, List<Stage> out, List<Stage> visiting,
      Map<String, String> globalArgs, StepContext ctx) throws BuildException {
    if (out.contains(stage)) {
      return;
    }
    if (visiting.contains(stage)) {
      throw new BuildException(ctx.dockerfileName() + ":" + stage.from().span().startLine()
          + ": circular dependency detected on stage: " + (stage.name() != null ? stage.name() : stage.index()));
    }
    visiting.add(stage);
    for (Stage dep : dependencies(dockerfile, stage, globalArgs, ctx)) {
      collectNeeded(dockerfile, dep, out, visiting, globalArgs, ctx);
    }
    visiting.remove(stage);
    out.add(stage);
  }

  private List<Stage> dependencies(Dockerfile dockerfile, Stage stage, Map<String, String> globalArgs,
      StepContext ctx) throws BuildException {
    List<Stage> deps = new ArrayList<>();
    parentStage(dockerfile, stage, globalArgs, ctx).ifPresent(deps::add);
    for (dev.jbuild.dockerfile.ir.Instruction i : stage.instructions()) {
      List<String> refs = new ArrayList<>();
      if (i instanceof dev.jbuild.dockerfile.ir.Copy c && c.from() != null) {
        refs.add(c.from());
      } else if (i instanceof dev.jbuild.dockerfile.ir.Run r) {
        for (dev.jbuild.dockerfile.ir.RunMount m : r.mounts()) {
          if (m.options().containsKey("from")) {
            refs.add(m.options().get("from"));
          }
        }
      }
      for (String ref : refs) {
        String expanded = ctx.expand(ref, globalArgs, i);
        Optional<Stage> s = named.has(expanded) ? Optional.empty() : namedStage(dockerfile, expanded);
        if (s.isPresent()) {
          if (s.get() == stage) {
            throw new BuildException(ctx.where(i) + ": circular dependency detected on stage: " + expanded);
          }
          deps.add(s.get());
        }
      }
    }
    return deps;
  }

  /** The stage called {@code ref} (case-insensitive), or numbered {@code ref}. */
  private static Optional<Stage> namedStage(Dockerfile dockerfile, String ref) {
    for (Stage s : dockerfile.stages()) {
      if (s.name() != null && s.name().equalsIgnoreCase(ref)) {
        return Optional.of(s);
      }
    }
    if (ref.matches("[0-9]{1,6}")) {
      int n = Integer.parseInt(ref);
      if (n < dockerfile.stages().size()) {
        return Optional.of(dockerfile.stages().get(n));
      }
    }
    return Optional.empty();
  }

  /**
   * Runs the needed stages (in dependency order) and returns the last one's state. Independent stages run at the
   * same time on up to {@code jobs} threads; a stage starts when the stages it depends on are done. The first
   * failure cancels the stages still running.
   */
  private StageState runStages(Dockerfile dockerfile, List<Stage> needed, StepContext ctx,
      Map<String, String> globalArgs, Platform platform, StageRunner.StepCounter counter) throws BuildException {
    int jobs = options.jobs() > 0 ? options.jobs() : Runtime.getRuntime().availableProcessors();
    if (jobs <= 1 || needed.size() <= 1) {
      StageState last = null;
      for (Stage stage : needed) {
        last = runStage(dockerfile, stage, ctx, globalArgs, platform, counter);
      }
      return last;
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        Math.min(jobs, needed.size()), r -> {
          Thread t = new Thread(r, "jbuild-stage");
          t.setDaemon(true);
          return t;
        });
    Map<Stage, java.util.concurrent.Future<StageState>> futures = new LinkedHashMap<>();
    try {
      for (Stage stage : needed) {
        List<java.util.concurrent.Future<StageState>> deps = new ArrayList<>();
        for (Stage dep : dependencies(dockerfile, stage, globalArgs, ctx)) {
          if (futures.containsKey(dep)) {
            deps.add(futures.get(dep));
          }
        }
        // Submitted in dependency order to a FIFO pool, so a stage waits only on stages already running or done.
        futures.put(stage, pool.submit(() -> {
          for (java.util.concurrent.Future<StageState> d : deps) {
            d.get();
          }
          return runStage(dockerfile, stage, ctx, globalArgs, platform, counter);
        }));
      }
      StageState last = null;
      for (java.util.concurrent.Future<StageState> f : futures.values()) {
        last = f.get();
      }
      return last;
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof java.util.concurrent.ExecutionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof BuildException b) {
        throw b;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new BuildException("a stage failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("the build was interrupted", e);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Other stages and images, for COPY --from and RUN --mount from=. */
  private StageLookup lookup() {
    return new StageLookup() {
      @Override
      public Optional<StageState> stage(String nameOrIndex) throws BuildException {
        if (named.has(nameOrIndex)) {
          return Optional.empty(); // a named context hides a stage of the same name, as in BuildKit
        }
        Optional<Stage> s = namedStage(dockerfile, nameOrIndex);
        if (s.isEmpty()) {
          return Optional.empty();
        }
        StageState state = built.get(s.get().index());
        if (state == null) {
          // The plan expands --from and from= with the ARGs before the first FROM; the step, with its stage's too.
          throw new BuildException("stage \"" + nameOrIndex + "\" is named through a variable the build plan "
              + "could not see: a stage named in --from or from= must be known before the build starts, so set "
              + "the variable with an ARG before the first FROM (or --build-arg)");
        }
        return Optional.of(state);
      }

      @Override
      public StageState stageOrImage(String ref, dev.jbuild.dockerfile.ir.Instruction at) throws BuildException {
        Optional<StageState> s;
        try {
          s = stage(ref);
        } catch (BuildException e) {
          throw new BuildException(stepContext.where(at) + ": " + e.getMessage(), e);
        }
        return s.isPresent() ? s.get() : image(ref, at);
      }

      @Override
      public Optional<Path> directory(String name) throws BuildException {
        Optional<Path> dir = named.directory(name);
        Optional<String> url = named.remote(name);
        if (dir.isPresent() || url.isEmpty()) {
          return dir;
        }
        return Optional.of(copySources.remoteContext(url.get(), "--build-context " + name + "="
            + UrlFetcher.redact(url.get())));
      }

      @Override
      public String imageReference(String name) {
        return named.image(name);
      }

      @Override
      public StageState image(String name, dev.jbuild.dockerfile.ir.Instruction at) throws BuildException {
        named.requireNotDirectory(name, stepContext.where(at));
        String reference = named.image(name);
        StageState known = images.get(reference);
        if (known == null) {
          known = fromImage(reference, platform, stepContext, at, reference);
          images.put(reference, known);
        }
        return known;
      }
    };
  }

  private Optional<Stage> parentStage(Dockerfile dockerfile, Stage stage, Map<String, String> globalArgs,
      StepContext ctx) throws BuildException {
    String image = ctx.expand(stage.from().image(), globalArgs, stage.from());
    if (named.has(image)) {
      return Optional.empty();
    }
    for (Stage s : dockerfile.stages()) {
      if (s.index() < stage.index() && s.name() != null && s.name().equalsIgnoreCase(image)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private StageState runStage(Dockerfile dockerfile, Stage stage, StepContext ctx, Map<String, String> globalArgs,
      Platform platform, StageRunner.StepCounter counter) throws BuildException {
    String label = stage.name() != null ? stage.name() : "stage-" + stage.index();
    int index = counter.next();
    String fromText = stage.from().original().strip();
    listener.onEvent(new BuildEvent.StepStarted(label, index, counter.total(), fromText));
    long start = System.nanoTime();
    String image = ctx.expand(stage.from().image(), globalArgs, stage.from());
    Platform stagePlatform = platform;
    if (stage.from().platform() != null) {
      try {
        stagePlatform = Platform.parse(ctx.expand(stage.from().platform(), globalArgs, stage.from()));
      } catch (OciException e) {
        throw new BuildException(ctx.where(stage.from()) + ": " + e.getMessage(), e);
      }
    }
    requireRunnable(stage, stagePlatform, ctx);
    StageState state;
    Optional<Stage> parent = parentStage(dockerfile, stage, globalArgs, ctx);
    named.requireNotDirectory(image, ctx.where(stage.from()));
    image = named.image(image);
    if (parent.isPresent()) {
      state = built.get(parent.get().index()).fork(label);
    } else if (image.equalsIgnoreCase("scratch")) {
      state = new StageState(label, ImageConfig.scratch(stagePlatform), List.of());
    } else {
      state = fromImage(image, stagePlatform, ctx, stage.from(), label);
    }
    // FROM did no work when the base was already here (the store, an earlier stage, scratch): report it CACHED,
    // as BuildKit does, so a no-change rebuild shows no step that ran.
    listener.onEvent(new BuildEvent.StepFinished(label, index, fromText, !state.basePulled(),
        java.time.Duration.ofNanos(System.nanoTime() - start)));
    boolean useCache = !options.noCache() && !options.noCacheFilter().contains(label)
        && !options.noCacheFilter().contains(String.valueOf(stage.index()));
    StageRunner runner = new StageRunner(ctx, options, globalArgs, counter, lookup(), stepCache, useCache,
        copySources);
    List<dev.jbuild.dockerfile.ir.Instruction> triggers = OnbuildTriggers.take(state, ctx, stage);
    if (!triggers.isEmpty()) {
      runner.run(triggers, state);
    }
    runner.run(stage.instructions(), state);
    built.put(stage.index(), state);
    return state;
  }

  /** A foreign stage with RUN needs emulation; fail before pulling anything rather than at exec time. */
  private static void requireRunnable(Stage stage, Platform platform, StepContext ctx) throws BuildException {
    for (dev.jbuild.dockerfile.ir.Instruction i : stage.instructions()) {
      if (i instanceof dev.jbuild.dockerfile.ir.Run) {
        Optional<String> why = HostEmulation.refusal(platform, Platform.host(), HostEmulation.BINFMT_MISC);
        if (why.isPresent()) {
          throw new BuildException(ctx.where(i) + ": " + why.get());
        }
        return;
      }
    }
  }

  private StageState fromImage(String image, Platform platform, StepContext ctx,
      dev.jbuild.dockerfile.ir.Instruction at, String label) throws BuildException {
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (InvalidReferenceException e) {
      throw new BuildException(ctx.where(at) + ": " + e.getMessage(), e);
    }
    try {
      Optional<Descriptor> local = store.images().resolve(ref.familiar());
      Descriptor descriptor;
      boolean pulled;
      try {
        descriptor = local.isPresent() ? local.get() : puller.pull(ref, platform);
        pulled = local.isEmpty();
      } catch (BuildException e) {
        throw new BuildException(ctx.where(at) + ": " + e.getMessage(), e);
      }
      StoredImages.StoredImage base = StoredImages.read(store.blobs(), descriptor, platform, ref.familiar());
      ImageConfig config = base.config();
      // The base's creation time and history stay; the new image gets its own time at the end.
      StageState state = new StageState(label, config, base.manifest().layers());
      state.setBasePulled(pulled);
      return state;
    } catch (StoreException | OciException e) {
      throw new BuildException(ctx.where(at) + ": base image " + ref.familiar() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The image's creation time: that of its newest history line, so a build whose steps all came from the cache
   * gives the very same image as the build that filled the cache. With no history of its own, the build's time.
   */
  private static Instant created(ImageConfig config, StepContext ctx) {
    Instant newest = null;
    for (ImageConfig.HistoryEntry h : config.history()) {
      if (h.created() != null && (newest == null || h.created().isAfter(newest))) {
        newest = h.created();
      }
    }
    return newest != null ? newest : ctx.timestamp();
  }

  private BuildResult finish(StageState state, List<ImageReference> tags, StepContext ctx) throws BuildException {
    try {
      ImageConfig config = state.config();
      if (!options.labels().isEmpty()) {
        config = config.withConfig(config.config().withLabels(options.labels()));
      }
      config = config.withCreated(created(config, ctx));
      Descriptor configBlob = store.blobs().put(MediaType.OCI_CONFIG, OciJson.write(config));
      Manifest manifest = Manifest.oci(configBlob, state.layers());
      Descriptor manifestBlob = store.blobs().put(MediaType.OCI_MANIFEST, OciJson.write(manifest));
      List<String> names = new ArrayList<>();
      for (ImageReference tag : tags) {
        store.images().tag(tag.familiar(), manifestBlob);
        names.add(tag.familiar());
        listener.onEvent(new BuildEvent.Log(BuildEvent.Level.INFO, "naming to " + tag.familiar()));
      }
      return new BuildResult(manifestBlob, configBlob.digest(), names);
    } catch (StoreException e) {
      throw new BuildException("cannot write the image to the store: " + e.getMessage(), e);
    }
  }

}
