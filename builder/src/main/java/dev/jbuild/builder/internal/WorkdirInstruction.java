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

  static void apply(StepContext ctx, StageState state, Workdir w) throws BuildException {
    String path = ctx.expand(w.path(), state.expansionEnv(), w);
    if (path.isEmpty()) {
      throw new BuildException(ctx.where(w) + ": WORKDIR requires a path");
    }
    String absolute = ImagePaths.join(state.workingDir(), path);
    state.setContainerConfig(state.containerConfig().withWorkingDir(absolute));
    String relative = absolute.substring(1);
    TreeMap<String, LayerEntry> entries = new TreeMap<>();
    try {
      FileIndex files = state.files(ctx.store().blobs());
      long uid = numericUser(state.containerConfig().user(), 0);
      long gid = numericUser(state.containerConfig().user(), 1);
      String prefix = "";
      for (String part : relative.isEmpty() ? new String[0] : relative.split("/")) {
        prefix = prefix.isEmpty() ? part : prefix + "/" + part;
        if (files.get(prefix) == null) {
          entries.put(prefix, LayerEntry.directory(prefix, 0755, uid, gid, ctx.timestamp()));
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

  /** BuildKit chowns a new WORKDIR to USER; names need /etc/passwd, which a later issue resolves. */
  private static long numericUser(String user, int part) {
    if (user == null) {
      return 0;
    }
    String[] ids = user.split(":", 2);
    String id = part < ids.length ? ids[part] : ids[0];
    return id.matches("\\d{1,10}") ? Long.parseLong(id) : 0;
  }
}
