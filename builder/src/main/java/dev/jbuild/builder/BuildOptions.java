package dev.jbuild.builder;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to build.
 *
 * @param contextDir the build context
 * @param dockerfile the Dockerfile; null means {@code contextDir/Dockerfile}
 * @param tags names to give the image in the local store, as typed ({@code hello:1})
 * @param buildArgs {@code --build-arg} values, overriding ARG defaults
 * @param target the stage to build; null means the last
 * @param platform {@code os/arch[/variant]}; null means the host's
 * @param sourceDateEpoch when set, every timestamp in the image is clamped to it (reproducible builds)
 * @param labels extra labels set on the final image
 * @param noCache run every step, ignoring the build cache (results are still recorded in it)
 * @param noCacheFilter stages (by name or index) whose steps ignore the build cache
 * @param secrets {@code --secret} values by id, for {@code RUN --mount=type=secret}; never stored anywhere
 * @param sshSockets {@code --ssh} agent sockets by id ({@code default} for {@code SSH_AUTH_SOCK})
 * @param jobs how many independent stages may run at once; 0 means the number of cores
 * @param contextTar when set, the build context is this tar stream (plain or compressed; {@code jbuild build -}),
 *     read once, and {@code contextDir} is ignored; {@code dockerfile} then names a file inside the archive. A
 *     stream that is not an archive is the Dockerfile itself, with an empty context
 * @param buildContexts {@code --build-context} named contexts: a name (as {@code FROM}, {@code COPY --from} or
 *     {@code RUN --mount from=} write it) to {@code docker-image://REF}, an absolute directory, a git repository URL
 *     or the URL of a tarball
 * @param ociRuntime the OCI runtime of RUN steps: {@code runc} (null means it too), {@code crun}, {@code auto} (crun
 *     where the host's cgroups allow it) or the absolute path of a runtime with runc's command line
 */
public record BuildOptions(
    Path contextDir,
    Path dockerfile,
    List<String> tags,
    Map<String, String> buildArgs,
    String target,
    String platform,
    Instant sourceDateEpoch,
    Map<String, String> labels,
    boolean noCache,
    java.util.Set<String> noCacheFilter,
    Map<String, Secret> secrets,
    Map<String, Path> sshSockets,
    int jobs,
    java.io.InputStream contextTar,
    Map<String, String> buildContexts,
    String ociRuntime) {

  /**
   * A build secret: the contents of {@code file}, or {@code value} itself (from an environment variable the front
   * end read). Its value never appears in {@link #toString()}.
   */
  public record Secret(Path file, byte[] value) {
    public Secret {
      if ((file == null) == (value == null)) {
        throw new IllegalArgumentException("a secret is a file or a value");
      }
      value = value == null ? null : value.clone();
    }

    @Override
    public byte[] value() {
      return value == null ? null : value.clone();
    }

    @Override
    public String toString() {
      return file != null ? "Secret[file=" + file + "]" : "Secret[value=(" + value.length + " bytes)]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Secret s && java.util.Objects.equals(file, s.file)
          && java.util.Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(file) * 31 + java.util.Arrays.hashCode(value);
    }
  }

  public BuildOptions {
    if (contextTar == null) {
      Objects.requireNonNull(contextDir, "contextDir");
    }
    tags = List.copyOf(tags == null ? List.of() : tags);
    buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs == null ? Map.of() : buildArgs));
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels == null ? Map.of() : labels));
    noCacheFilter = java.util.Set.copyOf(noCacheFilter == null ? java.util.Set.of() : noCacheFilter);
    secrets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(secrets == null ? Map.of() : secrets));
    sshSockets = java.util.Collections.unmodifiableMap(
        new LinkedHashMap<>(sshSockets == null ? Map.of() : sshSockets));
    if (jobs < 0) {
      throw new IllegalArgumentException("jobs must be 0 (one per core) or more, not " + jobs);
    }
    buildContexts = java.util.Collections.unmodifiableMap(
        new LinkedHashMap<>(buildContexts == null ? Map.of() : buildContexts));
  }

  public static Builder builder(Path contextDir) {
    return new Builder(contextDir);
  }

  /** Options for a build whose context is the tar stream {@code contextTar} ({@code jbuild build -}). */
  public static Builder builder(java.io.InputStream contextTar) {
    return new Builder(null).contextTar(contextTar);
  }

  /** The options as they were, for a record built before {@code contextTar} existed. */
  public BuildOptions(Path contextDir, Path dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
      String platform, Instant sourceDateEpoch, Map<String, String> labels) {
    this(contextDir, dockerfile, tags, buildArgs, target, platform, sourceDateEpoch, labels, false, null, null, null, 0,
        null, null, null);
  }

  /** The Dockerfile to read. */
  public Path dockerfilePath() {
    return dockerfile != null ? dockerfile : contextDir == null ? Path.of("Dockerfile") : contextDir.resolve("Dockerfile");
  }

  /** Collects options one by one; {@link #build()} freezes them. */
  public static final class Builder {
    private final Path contextDir;
    private Path dockerfile;
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> buildArgs = new LinkedHashMap<>();
    private final Map<String, String> buildContexts = new LinkedHashMap<>();
    private String target;
    private String platform;
    private Instant sourceDateEpoch;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private boolean noCache;
    private String ociRuntime;
    private final java.util.Set<String> noCacheFilter = new java.util.LinkedHashSet<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private final Map<String, Path> sshSockets = new LinkedHashMap<>();
    private int jobs;
    private java.io.InputStream contextTar;

    private Builder(Path contextDir) {
      this.contextDir = contextDir;
    }

    public Builder dockerfile(Path value) {
      dockerfile = value;
      return this;
    }

    public Builder tag(String value) {
      tags.add(value);
      return this;
    }

    public Builder buildArg(String name, String value) {
      buildArgs.put(name, value);
      return this;
    }

    public Builder target(String value) {
      target = value;
      return this;
    }

    public Builder platform(String value) {
      platform = value;
      return this;
    }

    public Builder sourceDateEpoch(Instant value) {
      sourceDateEpoch = value;
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public Builder noCache(boolean value) {
      noCache = value;
      return this;
    }

    public Builder noCacheFilter(String stage) {
      noCacheFilter.add(stage);
      return this;
    }

    public Builder secret(String id, Secret value) {
      secrets.put(id, value);
      return this;
    }

    public Builder ssh(String id, Path socket) {
      sshSockets.put(id, socket);
      return this;
    }

    /** At most {@code value} stages at once ({@code --jobs}); 0, the default, lets the builder choose. */
    public Builder jobs(int value) {
      jobs = value;
      return this;
    }

    public Builder contextTar(java.io.InputStream value) {
      contextTar = value;
      return this;
    }

    /** A named context ({@code --build-context NAME=VALUE}): {@code docker-image://REF} or a directory. */
    public Builder buildContext(String name, String value) {
      buildContexts.put(name, value);
      return this;
    }

    /** The OCI runtime of RUN steps (see {@link BuildOptions#ociRuntime()}); null for runc. */
    public Builder ociRuntime(String value) {
      ociRuntime = value;
      return this;
    }

    public BuildOptions build() {
      return new BuildOptions(contextDir, dockerfile, tags, buildArgs, target, platform, sourceDateEpoch, labels,
          noCache, noCacheFilter, secrets, sshSockets, jobs, contextTar, buildContexts, ociRuntime);
    }
  }
}
