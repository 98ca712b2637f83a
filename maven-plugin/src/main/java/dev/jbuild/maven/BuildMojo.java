package dev.jbuild.maven;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.builder.BuildResult;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Builds the project's image into the local jbuild store: from the Dockerfile when there is one, else, with
 * {@code <java>} configured, from the project's classes and runtime dependencies in Jib-style layers. Writes the
 * manifest digest to {@code target/jbuild-image.digest}.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.RUNTIME,
    threadSafe = true)
public class BuildMojo extends AbstractJbuildMojo {
  /** The build context. */
  @Parameter(property = "jbuild.context", defaultValue = "${project.basedir}")
  private File contextDirectory;

  /** The Dockerfile. When it does not exist and {@code <java>} is set, the image is made from the project. */
  @Parameter(property = "jbuild.dockerfile", defaultValue = "${project.basedir}/Dockerfile")
  private File dockerfile;

  /** {@code --build-arg} values by name. */
  @Parameter
  private Map<String, String> buildArgs = new LinkedHashMap<>();

  /** The stage to build (default: the last). */
  @Parameter(property = "jbuild.target")
  private String target;

  /** The target platform, {@code os/arch[/variant]} (default: the host's). */
  @Parameter(property = "jbuild.platform")
  private String platform;

  /** Run every step, ignoring the build cache. */
  @Parameter(property = "jbuild.noCache", defaultValue = "false")
  private boolean noCache;

  /**
   * The OCI runtime of RUN steps: {@code runc} (the default), {@code crun}, {@code auto} (crun where the host's
   * cgroups allow it) or the absolute path of a runtime with runc's command line, as {@code JBUILD_OCI_RUNTIME} is
   * for the command line.
   */
  @Parameter(property = "jbuild.ociRuntime")
  private String ociRuntime;

  /** Labels set on the image. */
  @Parameter
  private Map<String, String> labels = new LinkedHashMap<>();

  /**
   * Secrets for {@code RUN --mount=type=secret,id=ID}, by id: a file path, or {@code env:NAME} for an environment
   * variable of the Maven process. Never stored in the image or the build cache.
   */
  @Parameter
  private Map<String, String> secrets = new LinkedHashMap<>();

  /** Without a Dockerfile: build the application with Jib-style layers on this base image. */
  @Parameter
  private JavaImage java;

  /**
   * Where the build runs: {@code auto} (in Maven's JVM as root, else forked into a user namespace with
   * {@code unshare}), {@code always} (forked) or {@code never} (in Maven's JVM; RUN steps then need root).
   */
  @Parameter(property = "jbuild.fork", defaultValue = "auto")
  private String fork;

  /** The reproducible-build timestamp; when set it becomes SOURCE_DATE_EPOCH. */
  @Parameter(defaultValue = "${project.build.outputTimestamp}")
  private String outputTimestamp;

  @Parameter(defaultValue = "${plugin}", readonly = true, required = true)
  private PluginDescriptor plugin;

  @Component
  private SettingsDecrypter decrypter;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("jbuild: skipped (jbuild.skip)");
      return;
    }
    Path context = contextDirectory.toPath().toAbsolutePath().normalize();
    Path file = dockerfile.toPath().toAbsolutePath().normalize();
    Instant epoch = sourceDateEpoch();
    if (!Files.exists(file) && java != null) {
      file = prepareJava();
      context = file.getParent();
      if (epoch == null) {
        // As Jib: without a project timestamp the image is still reproducible, dated at the epoch.
        epoch = Instant.EPOCH;
      }
    } else if (!Files.isRegularFile(file)) {
      throw new MojoFailureException("no Dockerfile at " + file + ": add one, set <dockerfile>, or configure <java>"
          + " to build the application without a Dockerfile");
    }
    BuildOptions.Builder options = BuildOptions.builder(context).dockerfile(file).target(blankToNull(target))
        .platform(blankToNull(platform)).sourceDateEpoch(epoch).noCache(noCache)
        .ociRuntime(blankToNull(ociRuntime));
    imageNames().forEach(options::tag);
    buildArgs.forEach((k, v) -> options.buildArg(k, v == null ? "" : v));
    labels.forEach((k, v) -> options.label(k, v == null ? "" : v));
    addSecrets(options);
    // Offline builds pull nothing, so they need no credentials; online, a server that cannot be decrypted is only a
    // problem if its registry is pulled from, and the pull then fails naming that registry.
    BuildRequest request = new BuildRequest(options.build(), storeRoot(), session.isOffline(), session.isOffline()
        ? Map.of()
        : ServerCredentials.of(session.getSettings().getServers(), decrypter, null,
            m -> getLog().debug("jbuild: " + m)));
    getLog().info("jbuild: building " + String.join(", ", request.options().tags()) + " from "
        + context.relativize(file) + (epoch != null ? " (SOURCE_DATE_EPOCH=" + epoch.getEpochSecond() + ")" : ""));
    long start = System.nanoTime();
    BuildResult result;
    try {
      result = run(request, new MavenBuildLog(getLog()));
    } catch (BuildException e) {
      throw new MojoFailureException(withDockerfilePath(e.getMessage(), context, file), e);
    }
    getLog().info(String.format(Locale.ROOT, "jbuild: built %s in %.2fs", result.manifest().digest(),
        (System.nanoTime() - start) / 1e9));
    writeDigest(result);
  }

  private BuildResult run(BuildRequest request, BuildListener listener)
      throws BuildException, MojoExecutionException {
    boolean forked;
    List<String> prefix = List.of();
    switch (fork) {
      case "never":
        forked = false;
        break;
      case "always":
        forked = true;
        prefix = Processes.isRoot() ? List.of() : ForkedBuild.userNamespacePrefix().orElse(List.of());
        break;
      case "auto":
        if (Processes.isRoot()) {
          forked = false;
        } else {
          Optional<List<String>> unshare = ForkedBuild.userNamespacePrefix();
          forked = unshare.isPresent();
          if (unshare.isPresent()) {
            prefix = unshare.get();
          } else {
            getLog().warn("jbuild: Maven does not run as root and user namespaces are not available (unshare from "
                + "util-linux >= 2.38, and newuidmap from the uidmap package); building in Maven's JVM, where RUN "
                + "steps will fail. Builds with only COPY, ADD and metadata steps still work.");
          }
        }
        break;
      default:
        throw new MojoExecutionException("<fork> must be auto, always or never, not \"" + fork + "\"");
    }
    if (!forked) {
      return Builds.run(request, listener);
    }
    getLog().info("jbuild: forking the build" + (prefix.isEmpty() ? "" : " with " + String.join(" ", prefix)));
    List<String> command = ForkedBuild.command(prefix, Path.of(System.getProperty("java.home"), "bin", "java"),
        pluginClasspath(), System.getProperty("user.home"));
    return ForkedBuild.run(command, request, listener, line -> getLog().warn("jbuild (forked): " + line));
  }

  /** The plugin's own jar and its runtime dependencies: what the forked ForkMain needs, without Maven's API. */
  private List<Path> pluginClasspath() {
    Set<Path> cp = new LinkedHashSet<>();
    if (plugin.getPluginArtifact() != null && plugin.getPluginArtifact().getFile() != null) {
      cp.add(plugin.getPluginArtifact().getFile().toPath());
    }
    for (Artifact a : plugin.getArtifacts()) {
      if (a.getFile() != null) {
        cp.add(a.getFile().toPath());
      }
    }
    return new ArrayList<>(cp);
  }

  private Instant sourceDateEpoch() throws MojoExecutionException {
    try {
      return OutputTimestamp.parse(outputTimestamp).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
  }

  private Path prepareJava() throws MojoExecutionException {
    List<Artifact> runtime = new ArrayList<>();
    for (Artifact a : project.getArtifacts()) {
      if (a.getFile() != null && a.getArtifactHandler().isAddedToClasspath()
          && (Artifact.SCOPE_COMPILE.equals(a.getScope()) || Artifact.SCOPE_RUNTIME.equals(a.getScope()))) {
        runtime.add(a);
      }
    }
    List<String[]> coordinates = new ArrayList<>();
    runtime.forEach(a -> coordinates.add(new String[] {a.getGroupId(), a.getArtifactId(), a.getBaseVersion(),
        a.getClassifier()}));
    List<String> names = JavaLayout.fileNames(coordinates);
    List<JavaLayout.Dependency> deps = new ArrayList<>();
    for (int i = 0; i < runtime.size(); i++) {
      deps.add(new JavaLayout.Dependency(runtime.get(i).getFile().toPath(), names.get(i), runtime.get(i).isSnapshot()));
    }
    Path stage = Path.of(project.getBuild().getDirectory(), "jbuild", "java-context");
    try {
      return new JavaLayout(stage).prepare(java, Path.of(project.getBuild().getOutputDirectory()), deps);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot stage the application in " + stage + ": " + e.getMessage(), e);
    }
  }

  private void addSecrets(BuildOptions.Builder options) throws MojoExecutionException {
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      String value = s.getValue() == null ? "" : s.getValue().trim();
      if (value.startsWith("env:")) {
        String env = System.getenv(value.substring(4));
        if (env == null) {
          throw new MojoExecutionException("secret " + s.getKey() + ": environment variable " + value.substring(4)
              + " is not set");
        }
        options.secret(s.getKey(), new BuildOptions.Secret(null, env.getBytes(StandardCharsets.UTF_8)));
      } else {
        Path p = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
          throw new MojoExecutionException("secret " + s.getKey() + ": " + p + " is not a readable file");
        }
        options.secret(s.getKey(), new BuildOptions.Secret(p, null));
      }
    }
  }

  /** The builder names the Dockerfile relative to the context; Maven users want a path they can click. */
  static String withDockerfilePath(String message, Path context, Path dockerfile) {
    if (message == null) {
      return "the image build failed";
    }
    String shown = dockerfile.startsWith(context) ? context.relativize(dockerfile).toString() : dockerfile.toString();
    if (message.startsWith(shown + ":") && !shown.equals(dockerfile.toString())) {
      return dockerfile + message.substring(shown.length());
    }
    return message;
  }

  private void writeDigest(BuildResult result) throws MojoExecutionException {
    Path out = Path.of(project.getBuild().getDirectory(), "jbuild-image.digest");
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, result.manifest().digest().toString());
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write " + out + ": " + e.getMessage(), e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
