package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Entrypoint;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.MalformedContentException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.cache.BuildCache;
import dev.jbuild.store.cache.CacheEntry;
import dev.jbuild.store.cache.CacheKey;
import dev.jbuild.store.cache.Explanation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The build cache as the builder uses it (DESIGN §4). A step's key hashes the state it starts from (layers and
 * config, not history or timestamps; for RUN, COPY and ADD only the part of the config they read), the
 * instruction, the ARGs and ENV in effect, the platform, SOURCE_DATE_EPOCH when set, and for COPY/ADD and bind
 * mounts the content of what they read. Because the parent is the state and not the previous key, a step after a
 * miss still hits when the re-run step produced the same result.
 */
final class StepCache {
  /** For ENTRYPOINT: whether the stage set CMD itself, which its config does not show. */
  static final String CMD_SET = "cmd-set";
  /** The escape directive, when the Dockerfile has one other than the backslash. */
  static final String ESCAPE = "escape";

  private final BuildCache cache;
  private final StepContext ctx;

  StepCache(BuildCache cache, StepContext ctx) {
    this.cache = cache;
    this.ctx = ctx;
  }

  /** A digest of everything in {@code state} a later step can see: diffIDs and the container config. */
  static String stateDigest(StageState state) {
    ImageConfig c = state.config();
    return platformAndLayersWith(c, c.author(), c.config());
  }

  /**
   * A digest of what a RUN, COPY or ADD reads of {@code state}: the diffIDs, the platform, and the config fields
   * that change what it writes (ENV, USER, WORKDIR, SHELL). Not LABEL, CMD, ENTRYPOINT, EXPOSE, VOLUME and the
   * like, which such a step never sees: a changed LABEL above a RUN does not rerun it, as in BuildKit. A hit on
   * such a step then takes only its layer and history line from the cache ({@link #restore}).
   */
  static String filesystemDigest(StageState state) {
    ImageConfig c = state.config();
    ContainerConfig cc = c.config();
    ContainerConfig seen = new ContainerConfig(cc.user(), null, cc.env(), null, null, null, cc.workingDir(), null,
        null, null, null, cc.shell(), null);
    return platformAndLayersWith(c, null, seen);
  }

  /** The digest of {@code c}'s platform and diffIDs with {@code author} and {@code config}: no history, no dates. */
  private static String platformAndLayersWith(ImageConfig c, String author, ContainerConfig config) {
    ImageConfig bare = new ImageConfig(null, author, c.architecture(), c.os(), c.variant(), c.osVersion(), config,
        c.diffIds(), List.of());
    return Digest.sha256Of(OciJson.write(bare)).toString();
  }

  /** Whether {@code instruction} only adds a layer (or nothing) and leaves the config as it was. */
  static boolean layerOnly(Instruction instruction) {
    return instruction instanceof Run || instruction instanceof Copy || instruction instanceof Add;
  }

  CacheKey key(Instruction instruction, StageState state, String sources, String mounts) {
    CacheKey.Builder b = CacheKey.builder()
        .field(CacheKey.PARENT, layerOnly(instruction) ? filesystemDigest(state) : stateDigest(state))
        .field(CacheKey.INSTRUCTION, instruction.original().strip());
    TreeMap<String, String> args = new TreeMap<>();
    // An ARG declared without a value is unset: not in RUN's environment, and ${X+set} is empty. Keyed as "", it
    // was one key with an ARG set to the empty string, which RUN sees as X= and ${X+set} as "set". Left out, it
    // keys like an undeclared ARG, which behaves the same.
    state.args().forEach((k, v) -> {
      if (v != null) {
        args.put(k, v);
      }
    });
    b.fields(CacheKey.ARGS, args);
    TreeMap<String, String> env = new TreeMap<>();
    for (String e : state.containerConfig().env()) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        env.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    b.fields(CacheKey.ENV, env);
    b.field(CacheKey.PLATFORM, state.config().platform().toString());
    if (ctx.sourceDateEpoch() != null) {
      // Only when set, so the keys of builds without it stay what they were.
      b.field(CacheKey.SOURCE_DATE_EPOCH, ctx.sourceDateEpoch().toString());
    }
    if (ctx.lex().escape() != '\\') {
      // "# escape=`" changes what the builder's expansion makes of the same line (ENV A=x\$B): only when not the
      // default, so the keys of other Dockerfiles stay what they were.
      b.field(ESCAPE, String.valueOf(ctx.lex().escape()));
    }
    if (instruction instanceof Entrypoint) {
      // ENTRYPOINT resets a CMD the base set but keeps one this stage set: the same state, two results.
      b.field(CMD_SET, state.cmdSet() ? 1 : 0);
    }
    if (sources != null) {
      b.field(CacheKey.SOURCES, sources);
    }
    if (mounts != null && !mounts.isEmpty()) {
      b.field(CacheKey.MOUNTS, Digest.sha256Of(mounts.getBytes(StandardCharsets.UTF_8)).toString());
    }
    return b.build();
  }

  Optional<CacheEntry> lookup(CacheKey key) throws BuildException {
    try {
      return cache.lookup(key);
    } catch (StoreException e) {
      throw new BuildException("cannot read the build cache: " + e.getMessage(), e);
    }
  }

  /** Why {@code key} missed, for the progress output; empty when nothing close was cached. */
  Optional<String> explain(CacheKey key) {
    try {
      // Only a near miss of the same instruction says something useful (what changed under it).
      return cache.explainMiss(key).filter(e -> e.nearestKey() != null)
          .filter(e -> e.changes().stream().noneMatch(c -> c.name().equals(CacheKey.INSTRUCTION)))
          .map(Explanation::summary);
    } catch (StoreException e) {
      return Optional.empty();
    }
  }

  /**
   * Restores a cached step: its layer (if any) and the config as it was after the step, with this build's history
   * followed by the step's own line. The key pins the state before the step but not how it was reached: the build
   * that filled the cache may have got there through other steps (ENV A=1 then ENV A=2, where this one has only
   * ENV A=2), and its history lines for them are not this image's.
   */
  void restore(CacheEntry entry, StageState state, Instruction at) throws BuildException {
    ImageConfig cached;
    try {
      cached = OciJson.readConfig(entry.configJson());
    } catch (MalformedContentException e) {
      throw new BuildException(ctx.where(at) + ": corrupt build cache entry " + entry.key() + ": " + e.getMessage()
          + " (run `jbuild prune` to clear it)", e);
    }
    ImageConfig now = state.config();
    if (layerOnly(at) && !cached.history().isEmpty()) {
      // The key pins only what the step reads (filesystemDigest): the rest of the config is this build's.
      ImageConfig.HistoryEntry line = cached.history().get(cached.history().size() - 1);
      if (entry.layer() != null) {
        state.addUnindexedLayer(entry.layer(), now.withLayer(entry.diffId(), line));
      } else {
        state.setConfig(now.withEmptyLayerHistory(line));
      }
      return;
    }
    List<ImageConfig.HistoryEntry> history = new ArrayList<>(now.history());
    if (!cached.history().isEmpty()) {
      history.add(cached.history().get(cached.history().size() - 1)); // every step writes one line
    }
    ImageConfig config = new ImageConfig(now.created(), cached.author(), cached.architecture(), cached.os(),
        cached.variant(), cached.osVersion(), cached.config(), cached.diffIds(), history);
    if (entry.layer() != null) {
      state.addUnindexedLayer(entry.layer(), config);
    } else {
      state.setConfig(config);
    }
  }

  /**
   * Records the result of a step that just ran: the config after it, and its layer when it made one. A step run
   * with the cache off ({@code replace}) replaces an older entry, so the next build uses the fresh result.
   */
  void record(CacheKey key, int layersBefore, StageState after, Instant created, boolean replace) {
    Descriptor layer = null;
    Digest diffId = null;
    if (after.layers().size() > layersBefore) {
      layer = after.layers().get(after.layers().size() - 1);
      List<Digest> ids = after.config().diffIds();
      diffId = ids.get(ids.size() - 1);
    }
    try {
      CacheEntry entry = CacheEntry.of(key, diffId, layer, OciJson.write(after.config()), created);
      if (replace) {
        cache.replace(key, entry);
      } else {
        cache.put(key, entry);
      }
    } catch (StoreException e) {
      ctx.listener().onEvent(new BuildEvent.Log(BuildEvent.Level.WARN,
          "cannot record the step in the build cache: " + e.getMessage()));
    }
  }
}
