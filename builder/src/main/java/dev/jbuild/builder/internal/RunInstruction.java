package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildEvent;
import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Heredoc;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.runtime.ContainerException;
import dev.jbuild.runtime.ContainerSpec;
import dev.jbuild.runtime.Containers;
import dev.jbuild.runtime.ImageUsers;
import dev.jbuild.runtime.Mount;
import dev.jbuild.runtime.RunResult;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.tar.Layer;
import dev.jbuild.store.tar.LayerBlobs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RUN: the command runs in a container made from the stage's layers (overlay + runc, rootless when jbuild runs in
 * a user namespace), and what it changed in the upper dir becomes the step's layer. As BuildKit does, RUN itself
 * is not expanded by the builder: the shell expands, with the stage's ENV and the ARGs in effect in its environment.
 */
final class RunInstruction {
  /** Lines of output kept to explain a failing step. */
  static final int TAIL_LINES = 20;
  /** BuildKit's default PATH when the image sets none. */
  static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

  private final StepContext ctx;
  private final RunMounts mounts;
  private final String ociRuntime;

  /** {@code ociRuntime}: the runtime that runs the steps, as {@link dev.jbuild.builder.BuildOptions} names it. */
  RunInstruction(StepContext ctx, RunMounts mounts, String ociRuntime) {
    this.ctx = ctx;
    this.mounts = mounts;
    this.ociRuntime = ociRuntime;
  }

  /** The command line a RUN runs, with SHELL applied and heredocs resolved (see {@link #heredocScript}). */
  static List<String> command(Run run, ContainerConfig config) {
    List<String> shell = config.shell() != null && !config.shell().isEmpty() ? config.shell() : DEFAULT_SHELL;
    if (run.command().execForm()) {
      return run.command().args();
    }
    String line = run.command().args().isEmpty() ? "" : run.command().args().get(0);
    List<String> out = new ArrayList<>(shell);
    if (run.heredocs().isEmpty()) {
      out.add(line);
      return out;
    }
    if (run.heredocs().size() == 1 && line.strip().matches("<<-?['\"]?" + java.util.regex.Pattern.quote(
        run.heredocs().get(0).name()) + "['\"]?")) {
      Heredoc doc = run.heredocs().get(0);
      if (doc.content().startsWith("#!")) {
        return List.of(heredocScript(doc));
      }
      out.add(doc.content());
      return out;
    }
    // Anything else goes to the shell whole, heredoc bodies included, and the shell does the redirections.
    StringBuilder script = new StringBuilder(line);
    for (Heredoc doc : run.heredocs()) {
      script.append('\n').append(doc.content());
      if (!doc.content().isEmpty() && !doc.content().endsWith("\n")) {
        script.append('\n');
      }
      script.append(doc.name());
    }
    out.add(script.toString());
    return out;
  }

  /** Where a heredoc script with a shebang is mounted to be executed directly, as BuildKit does. */
  static String heredocScript(Heredoc doc) {
    return "/dev/pipes/" + doc.name();
  }

  /** The process environment: the image's ENV, then the ARGs in effect that ENV does not set, then PATH. */
  static List<String> environment(StageState state) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : state.containerConfig().env()) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        env.put(e.substring(0, eq), e);
      }
    }
    state.args().forEach((k, v) -> {
      if (v != null && !env.containsKey(k)) {
        env.put(k, k + "=" + v);
      }
    });
    env.putIfAbsent("PATH", DEFAULT_PATH);
    return new ArrayList<>(env.values());
  }

  void apply(Run run, StageState state, int index, RunMounts.Prepared prepared) throws BuildException {
    ContainerConfig config = state.containerConfig();
    List<String> args = command(run, config);
    List<String> env = new ArrayList<>(environment(state));
    env.addAll(prepared.env());
    String cwd = state.workingDir();
    String user = config.user() == null ? "" : config.user();
    boolean hostNetwork = !"none".equals(run.network());
    Tail tail = new Tail(ctx, state.label(), index);
    List<Layer> layer = new ArrayList<>(1);
    ImageConfig before = state.config();
    RunResult result;
    try {
      result = Containers.run(ctx.store(), state.layers(), before.diffIds(), state.label(), root -> {
        ImageUsers.Ids ids = ImageUsers.resolve(root, user);
        return new ContainerSpec(args, env, cwd, ids.uid(), ids.gid(), "jbuild", hostNetwork, ids.additionalGids(),
            prepared.mounts());
      }, null, tail, tail, changes -> {
        tail.flush();
        if (changes.isEmpty()) {
          return null;
        }
        try {
          Layer l = LayerBlobs.writeLayer(ctx.store().blobs(), changes, ctx.sourceDateEpoch());
          layer.add(l);
          // With a RUN after it, the upper dir becomes the layer's tree (that RUN's lower dir). Otherwise it is
          // deleted: keeping it would cost a sync of everything the step wrote for a tree perhaps never used.
          return state.treeWanted() ? new Containers.WrittenLayer(l.diffId(), ctx.sourceDateEpoch()) : null;
        } catch (StoreException e) {
          throw new IOException(e.getMessage(), e);
        }
      }, ociRuntime);
    } catch (ContainerException e) {
      throw new BuildException(ctx.where(run) + ": " + e.getMessage(), e);
    }
    tail.flush();
    if (result.exitCode() != 0) {
      StringBuilder msg = new StringBuilder(ctx.where(run)).append(": process \"")
          .append(String.join(" ", args)).append("\" did not complete successfully: exit code: ")
          .append(result.exitCode());
      List<String> last = tail.lines();
      if (!last.isEmpty()) {
        msg.append("\nlast lines of its output:\n  ").append(String.join("\n  ", last));
      }
      throw new BuildException(msg.toString());
    }
    String createdBy = LayerCommit.createdBy(run);
    if (layer.isEmpty()) {
      state.setConfig(before.withEmptyLayerHistory(
          new ImageConfig.HistoryEntry(ctx.timestamp(), createdBy, null, null, true)));
    } else {
      Layer l = layer.get(0);
      state.addUnindexedLayer(l.blob(), before.withLayer(l.diffId(),
          new ImageConfig.HistoryEntry(ctx.timestamp(), createdBy, null, null, false)));
    }
  }

  /** Splits the container's output into lines for events, keeping the last few for a failure message. */
  static final class Tail extends OutputStream {
    private final StepContext ctx;
    private final String stage;
    private final int index;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Deque<String> last = new ArrayDeque<>();

    Tail(StepContext ctx, String stage, int index) {
      this.ctx = ctx;
      this.stage = stage;
      this.index = index;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        emit();
      } else if (line.size() < 64 * 1024) {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public synchronized void flush() {
      if (line.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String s = line.toString(StandardCharsets.UTF_8);
      line.reset();
      last.addLast(s);
      if (last.size() > TAIL_LINES) {
        last.removeFirst();
      }
      ctx.listener().onEvent(new BuildEvent.Output(stage, index, s));
    }

    synchronized List<String> lines() {
      return new ArrayList<>(last);
    }
  }
}
