package dev.jbuild.cli;

import dev.jbuild.builder.BuildOptions;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.MediaType;
import dev.jbuild.runtime.Runc;
import dev.jbuild.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jbuild build}: a Dockerfile into an image in the local store, shown with {@code --progress}, then written
 * to the {@code --output}s and pushed with {@code --push}.
 */
@Command(name = "build", description = "Build an image from a Dockerfile.", mixinStandardHelpOptions = true)
final class BuildCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "CONTEXT",
      description = "The build context directory, or - for a tar (plain, gzip or zstd) or a lone Dockerfile on stdin.")
  String context;

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "PATH",
      description = "The Dockerfile (default: CONTEXT/Dockerfile); - reads it from stdin.")
  String dockerfile;

  @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "Set a build-time variable (repeatable).")
  Map<String, String> buildArgs = new LinkedHashMap<>();

  @Option(names = "--build-context", paramLabel = "NAME=VALUE",
      description = "A named context (repeatable): docker-image://REF stands for that image wherever FROM, COPY "
          + "--from or RUN --mount from= name NAME; a directory, a git repository or a tarball URL is one more context "
          + "that COPY --from=NAME and RUN --mount=type=bind,from=NAME read. It hides a stage of the same name.")
  Map<String, String> buildContexts = new LinkedHashMap<>();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set a label on the image (repeatable).")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage instead of the last.")
  String target;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "The target platform (default: the host's). RUN for another architecture needs binfmt_misc "
          + "emulation.")
  String platform;

  @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing",
      description = "When to pull base images: missing (default) or never.")
  PullPolicy pull;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image digest.")
  boolean quiet;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
      description = "How to show progress on stderr: auto (default: tty on a terminal, else plain), tty, plain, "
          + "json (one object per line) or quiet.")
  ProgressMode progress;

  @Option(names = {"-o", "--output"}, paramLabel = "type=TYPE,dest=PATH",
      description = "Also write the image (repeatable): type=local,dest=DIR (its files), type=tar,dest=FILE|- (its "
          + "files as a tar), type=oci,dest=FILE|DIR, type=docker,dest=FILE (docker load), type=registry (push). "
          + "-o DIR means type=local; -o - means type=tar on stdout.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID (the config digest) to FILE.")
  String iidFile;

  @Option(names = "--metadata-file", paramLabel = "FILE",
      description = "Write the build result as JSON to FILE (buildx keys: containerimage.digest, ...).")
  String metadataFile;

  @Option(names = "--push", description = "Push every -t name to its registry after the build.")
  boolean push;

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "0",
      description = "Build at most N independent stages at once (default: the builder chooses).")
  int jobs;

  @Option(names = "--no-cache", description = "Run every step; do not use the build cache.")
  boolean noCache;

  @Option(names = "--no-cache-filter", paramLabel = "STAGE", split = ",",
      description = "Do not use the build cache for these stages (repeatable, comma-separated).")
  List<String> noCacheFilter = new ArrayList<>();

  @Option(names = "--secret", paramLabel = "id=ID[,src=FILE|,env=VAR]",
      description = "A secret for RUN --mount=type=secret (repeatable). Never stored in the image or the cache.")
  List<String> secrets = new ArrayList<>();

  @Option(names = "--ssh", paramLabel = "default|ID[=SOCKET]",
      description = "Forward an SSH agent socket to RUN --mount=type=ssh (default: $SSH_AUTH_SOCK).")
  List<String> ssh = new ArrayList<>();

  enum PullPolicy { missing, never }

  enum ProgressMode { auto, tty, plain, json, quiet }

  @Override
  public Integer call() throws Exception {
    List<BuildOutput> parsed = parseOutputs();
    boolean pushing = push || parsed.stream().anyMatch(BuildOutput::pushes);
    if (pushing && tags.isEmpty()) {
      throw new Errors.UserError("--push needs at least one -t NAME:TAG to push to");
    }
    if (jobs < 0) {
      throw new Errors.UserError("--jobs must be 0 (the builder chooses) or more, not " + jobs);
    }
    if ("-".equals(context) && "-".equals(dockerfile)) {
      throw new Errors.UserError("cannot read both the context and the Dockerfile (-f -) from stdin");
    }
    PrintWriter err = spec.commandLine().getErr();
    ProgressPrinter printer = printerFor(progress, quiet, err, Terminal.detect(System.getenv()));
    try {
      return build(parsed, pushing, printer);
    } catch (Exception e) {
      printer.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      if (printer.reportsErrors()) {
        return Errors.FAILED;
      }
      throw e;
    } finally {
      printer.close();
    }
  }

  /** The display for {@code mode}; tty only when stderr is a terminal, so a log file never gets escape codes. */
  static ProgressPrinter printerFor(ProgressMode mode, boolean quiet, PrintWriter err, Terminal terminal) {
    if (quiet || mode == ProgressMode.quiet) {
      return new ProgressPrinter(err, true);
    }
    if (mode == ProgressMode.json) {
      return new JsonProgress(err, System::nanoTime);
    }
    if (mode == ProgressMode.tty && !terminal.interactive()) {
      err.println("WARNING: --progress=tty needs a terminal on stderr; showing plain progress");
      err.flush();
    }
    if (mode != ProgressMode.plain && terminal.interactive()) {
      return new TtyProgress(err, terminal, System::nanoTime, true);
    }
    return new ProgressPrinter(err, false);
  }

  private List<BuildOutput> parseOutputs() {
    List<BuildOutput> parsed = new ArrayList<>();
    for (String o : outputs) {
      parsed.add(BuildOutput.parse(o));
    }
    if (parsed.stream().filter(BuildOutput::toStdout).count() > 1) {
      throw new Errors.UserError("only one --output can go to stdout (dest=-)");
    }
    return parsed;
  }

  private int build(List<BuildOutput> outs, boolean pushing, ProgressPrinter printer) throws Exception {
    boolean stdinUsed = "-".equals(context) || "-".equals(dockerfile);
    try (StdinInputs stdin = stdinUsed ? StdinInputs.create() : null) {
      Path contextDir;
      Path dockerfilePath = dockerfile == null || dockerfile.equals("-") ? null : Path.of(dockerfile);
      if ("-".equals(context)) {
        StdinInputs.Context c = stdin.context(parent.stdin);
        contextDir = c.dir();
        if (c.dockerfile() != null) {
          if (dockerfilePath != null) {
            throw new Errors.UserError("stdin holds a Dockerfile, not a context tar, so -f " + dockerfile
                + " cannot be read from it");
          }
          dockerfilePath = c.dockerfile();
        } else if (dockerfilePath != null && !dockerfilePath.isAbsolute()) {
          dockerfilePath = contextDir.resolve(dockerfilePath); // as docker does: -f names a file in the tar
        }
      } else {
        contextDir = Path.of(context);
        if ("-".equals(dockerfile)) {
          dockerfilePath = stdin.dockerfile(parent.stdin);
        }
      }
      BuildOptions.Builder options = options(contextDir, dockerfilePath);
      try (Store store = parent.global.openStore()) {
        ImageBuilder builder = new ImageBuilder(store,
            pull == PullPolicy.never ? dev.jbuild.builder.BaseImagePuller.OFFLINE : registry.puller(store, printer),
            printer);
        BuildResult result = builder.build(options.build());
        finish(store, result, outs, pushing, printer);
      }
    }
    return 0;
  }

  private BuildOptions.Builder options(Path contextDir, Path dockerfilePath) {
    BuildOptions.Builder options = BuildOptions.builder(contextDir).dockerfile(dockerfilePath).target(target)
        .platform(platform).sourceDateEpoch(sourceDateEpoch()).jobs(jobs).ociRuntime(ociRuntime());
    tags.forEach(options::tag);
    buildArgs.forEach(options::buildArg);
    // A directory is relative to where jbuild runs, as a context directory is.
    buildContexts.forEach((name, value) -> options.buildContext(name,
        value.contains("://") || value.startsWith("git@") || value.startsWith("github.com/") ? value
            : Path.of(value).toAbsolutePath().normalize().toString()));
    labels.forEach(options::label);
    options.noCache(noCache);
    noCacheFilter.forEach(options::noCacheFilter);
    for (String secret : secrets) {
      BuildSecrets.add(options, secret);
    }
    for (String agent : ssh) {
      BuildSecrets.addSsh(options, agent);
    }
    return options;
  }

  /** Outputs, the ID file, pushes, the metadata file, then the digest on stdout unless an output took stdout. */
  private void finish(Store store, BuildResult result, List<BuildOutput> outs, boolean pushing,
      ProgressPrinter printer) throws Exception {
    if (!outs.isEmpty()) {
      BuildExports exports = new BuildExports(store, result);
      for (BuildOutput o : outs) {
        if (o.dest() != null) {
          printer.info("exporting " + o.type().name().toLowerCase(java.util.Locale.ROOT) + " to "
              + (o.toStdout() ? "stdout" : o.dest()));
          exports.write(o);
        }
      }
    }
    if (iidFile != null) {
      BuildMetadata.writeIidFile(iidFile, result);
    }
    Digest pushed = null;
    if (pushing) {
      for (String tag : result.tags()) {
        ImageReference ref = LocalImages.parse(tag);
        Digest d = registry.transfer(store, printer, ref.registry()).push(result.manifest(), ref,
            MediaType.Compression.GZIP);
        printer.info("pushed " + ref.familiar() + "@" + d);
        pushed = pushed == null ? d : pushed;
      }
    }
    if (metadataFile != null) {
      BuildMetadata.writeMetadata(metadataFile, result, pushed);
    }
    printer.done(result);
    if (outs.stream().noneMatch(BuildOutput::toStdout)) {
      spec.commandLine().getOut().println(result.manifest().digest());
      spec.commandLine().getOut().flush();
    }
  }

  /** JBUILD_OCI_RUNTIME, the runtime of RUN steps; refused here when it can name none, before anything runs. */
  private static String ociRuntime() {
    String value = System.getenv(Runc.RUNTIME_VARIABLE);
    String problem = Runc.problemWith(value);
    if (problem != null) {
      throw new Errors.UserError(problem);
    }
    return value;
  }

  /** SOURCE_DATE_EPOCH, read here and passed down: libraries never read the environment. */
  private Instant sourceDateEpoch() {
    String value = System.getenv("SOURCE_DATE_EPOCH");
    if (buildArgs.containsKey("SOURCE_DATE_EPOCH")) {
      value = buildArgs.get("SOURCE_DATE_EPOCH");
    }
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.ofEpochSecond(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new Errors.UserError("SOURCE_DATE_EPOCH must be a number of seconds, not \"" + value + "\"");
    }
  }
}
