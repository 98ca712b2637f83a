package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Workdir;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.util.TreeMap;

/**
 * WORKDIR sets the working directory and, like BuildKit, creates it when the image lacks it; the layer then
 * holds just the new directories. An existing directory gives no layer.
 */
final class WorkdirInstruction {
  private WorkdirInstruction() {}

  static void apply(StepContext ctx, StageState state, Workdir w, CopySources sources) throws BuildException {
    String path = ctx.expand(w.path(), state.expansionEnv(), w);
    if (path.isEmpty()) {
      throw new BuildException(ctx.where(w) + ": WORKDIR requires a path");
    }
    String absolute = ImagePaths.join(state.workingDir(), path);
    state.setContainerConfig(state.containerConfig().withWorkingDir(absolute));
    String relative = absolute.substring(1);
    TreeMap<String, LayerEntry> entries = new TreeMap<>();
    try {
      FileIndex files = state.files(ctx.store());
      String prefix = "";
      long[] owner = null;
      for (String part : relative.isEmpty() ? new String[0] : relative.split("/")) {
        prefix = prefix.isEmpty() ? part : prefix + "/" + part;
        if (files.get(prefix) == null) {
          if (owner == null) {
            owner = owner(ctx, state, w, sources);
          }
          entries.put(prefix, LayerEntry.directory(prefix, 0755, owner[0], owner[1], ctx.timestamp()));
        }
      }
    } catch (IOException | StoreException e) {
      throw new BuildException(ctx.where(w) + ": cannot read the image's layers: " + e.getMessage(), e);
    }
    if (entries.isEmpty()) {
      LayerCommit.emptyLayer(ctx, state, w);
    } else {
      LayerCommit.commit(ctx, state, w, entries);
    }
  }

  /**
   * BuildKit and buildah chown a new WORKDIR to USER; a name is looked up in the image's /etc/passwd and
   * /etc/group (read inside the image), as {@code COPY --chown} does.
   */
  private static long[] owner(StepContext ctx, StageState state, Workdir w, CopySources sources)
      throws BuildException {
    String user = state.containerConfig().user();
    if (user == null || user.isEmpty()) {
      return new long[] {0, 0};
    }
    return UserDb.resolve(user, sources.tree(state, "the image"), sources::warn, ctx.where(w));
  }
}
