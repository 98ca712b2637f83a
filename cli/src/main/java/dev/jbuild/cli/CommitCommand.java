package dev.jbuild.cli;

import dev.jbuild.builder.BuildException;
import dev.jbuild.builder.ConfigChanges;
import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Platform;
import dev.jbuild.runtime.ContainerCommit;
import dev.jbuild.runtime.ContainerException;
import dev.jbuild.runtime.ContainerRecord;
import dev.jbuild.runtime.ContainerRuntime;
import dev.jbuild.runtime.ContainerStore;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild commit CONTAINER [IMAGE]}: the container's changes as one new layer on its image; prints the new
 * manifest digest and tags it as IMAGE when given.
 */
@Command(name = "commit", mixinStandardHelpOptions = true,
    description = "Create an image from a container's changes (one new layer holding exactly what it changed).")
final class CommitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "The history comment.")
  String message;

  @Option(names = {"-a", "--author"}, paramLabel = "NAME", description = "The author.")
  String author;

  @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION",
      description = "A Dockerfile instruction applied to the config (repeatable): CMD, ENTRYPOINT, ENV, EXPOSE, "
          + "LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.")
  List<String> changes = new ArrayList<>();

  @Option(names = {"-p", "--pause"}, arity = "0..1", defaultValue = "true", fallbackValue = "true",
      paramLabel = "BOOL", description = "Freeze a running container while its changes are read (default true; "
          + "--pause=false reads them while it runs). Where it cannot be frozen, it is committed running, with a "
          + "warning.")
  boolean pause = true;

  @Parameters(index = "0", paramLabel = "CONTAINER") String container;

  @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE") String image;

  @Override
  public Integer call() throws Exception {
    String target = image == null ? null : LocalImages.parse(image).familiar();
    try (Store store = parent.global.openStore()) {
      ContainerRecord r = ContainerStore.of(store).find(container);
      ContainerConfig config = null;
      if (!changes.isEmpty()) {
        ContainerConfig base = StoredImages.read(store.blobs(), r.imageDescriptor(), Platform.host(), r.image())
            .config().config();
        try {
          config = ConfigChanges.apply(base == null ? ContainerConfig.EMPTY : base, changes);
        } catch (BuildException e) {
          throw new Errors.UserError(e.getMessage());
        }
      }
      Descriptor manifest;
      boolean running = r.state().status() == ContainerRecord.Status.RUNNING;
      ContainerRuntime runtime = pause && running ? ContainerRuntime.open(store) : null;
      boolean paused = false;
      if (runtime != null) {
        try {
          paused = runtime.pause(r);
        } catch (ContainerException e) {
          runtime.resumeQuietly(r); // in case it froze part of the way
          warn("cannot pause container " + r.name() + " (" + e.getMessage() + "); committing it while it runs");
        }
      }
      // Ctrl-C or SIGTERM while the container is frozen: thaw it on the way out, as the finally below would.
      Thread thaw = paused ? new Thread(() -> runtime.resumeQuietly(r), "jbuild-thaw") : null;
      if (thaw != null) {
        Runtime.getRuntime().addShutdownHook(thaw);
      }
      try {
        manifest = ContainerCommit.commit(store, r, config, message, author);
      } finally {
        if (paused) {
          try {
            runtime.resume(r);
          } catch (ContainerException e) {
            // The commit stands (or its own error goes on); a container left frozen must be said loudly.
            warn("container " + r.name() + " could not be resumed and stays paused (" + e.getMessage()
                + "); resume it with: runc --root " + store.root().resolve("runc") + " resume " + r.id());
          }
          try {
            Runtime.getRuntime().removeShutdownHook(thaw);
          } catch (IllegalStateException e) {
            // shutting down already: the hook thaws it
          }
        }
      }
      if (target != null) {
        store.images().tag(target, manifest);
      } else {
        store.images().addUntagged(manifest);
      }
      spec.commandLine().getOut().println(manifest.digest());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private void warn(String message) {
    spec.commandLine().getErr().println("jbuild: warning: " + message);
    spec.commandLine().getErr().flush();
  }
}
