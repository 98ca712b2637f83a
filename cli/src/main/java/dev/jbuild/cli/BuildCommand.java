package dev.jbuild.cli;

import dev.jbuild.builder.BuildOptions;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.ImageBuilder;
import dev.jbuild.store.Store;
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

/** {@code jbuild build}: a Dockerfile into an image in the local store. */
@Command(name = "build", description = "Build an image from a Dockerfile.", mixinStandardHelpOptions = true)
final class BuildCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @picocli.CommandLine.ParentCommand JbuildCommand parent;
  @Mixin RegistryOptions registry;

  @Parameters(index = "0", paramLabel = "CONTEXT", description = "The build context directory.")
  Path context;

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "PATH", description = "The Dockerfile (default: CONTEXT/Dockerfile).")
  Path dockerfile;

  @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "Set a build-time variable (repeatable).")
  Map<String, String> buildArgs = new LinkedHashMap<>();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set a label on the image (repeatable).")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage instead of the last.")
  String target;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The target platform.")
  String platform;

  @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing",
      description = "When to pull base images: missing (default) or never.")
  PullPolicy pull;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image digest.")
  boolean quiet;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "plain",
      description = "How to show progress: plain (default) or quiet.")
  ProgressMode progress;

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

  enum ProgressMode { plain, quiet }

  @Override
  public Integer call() throws Exception {
    BuildOptions.Builder options = BuildOptions.builder(context).dockerfile(dockerfile).target(target)
        .platform(platform).sourceDateEpoch(sourceDateEpoch());
    tags.forEach(options::tag);
    buildArgs.forEach(options::buildArg);
    labels.forEach(options::label);
    options.noCache(noCache);
    noCacheFilter.forEach(options::noCacheFilter);
    for (String secret : secrets) {
      BuildSecrets.add(options, secret);
    }
    for (String agent : ssh) {
      BuildSecrets.addSsh(options, agent);
    }
    ProgressPrinter printer = new ProgressPrinter(spec.commandLine().getErr(), quiet || progress == ProgressMode.quiet);
    try (Store store = parent.global.openStore()) {
      ImageBuilder builder = new ImageBuilder(store,
          pull == PullPolicy.never ? dev.jbuild.builder.BaseImagePuller.OFFLINE : registry.puller(store, printer),
          printer);
      BuildResult result = builder.build(options.build());
      printer.done(result);
      spec.commandLine().getOut().println(result.manifest().digest());
      spec.commandLine().getOut().flush();
    }
    return 0;
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
