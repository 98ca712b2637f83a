package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.testing.BaseImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A store with a busybox base image ({@code busybox:test}), a context, and a recorder of build events, for the
 * integration tests that run RUN steps with the real runc (as root).
 */
final class RunFixture implements AutoCloseable {
  static final String BASE = "busybox:test";

  final Path tmp;
  final BuildFixture f;
  final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

  RunFixture(Path tmp) throws Exception {
    this.tmp = tmp;
    this.f = new BuildFixture(tmp);
    BaseImages.busybox(f.store, BASE);
  }

  RunFixture file(String path, String content) throws Exception {
    f.file(path, content);
    return this;
  }

  /** Builds {@code dockerfile}; events of this build replace those of the previous one. */
  BuildResult build(String dockerfile, UnaryOperator<BuildOptions.Builder> options) throws Exception {
    events.clear();
    f.file("Dockerfile", dockerfile);
    BuildOptions.Builder b = BuildOptions.builder(f.context);
    return new ImageBuilder(f.store, BaseImagePuller.OFFLINE, events::add).build(options.apply(b).build());
  }

  BuildResult build(String dockerfile) throws Exception {
    return build(dockerfile, o -> o);
  }

  /** Builds with its own listener (for builds run in parallel, whose events must not mix). */
  BuildResult buildWith(Path context, BuildListener listener, UnaryOperator<BuildOptions.Builder> options)
      throws Exception {
    return new ImageBuilder(f.store, BaseImagePuller.OFFLINE, listener)
        .build(options.apply(BuildOptions.builder(context)).build());
  }

  /** The lines RUN steps wrote during the last build. */
  List<String> output() {
    synchronized (events) {
      return events.stream().filter(e -> e instanceof BuildEvent.Output).map(e -> ((BuildEvent.Output) e).line())
          .collect(Collectors.toList());
    }
  }

  List<BuildEvent.StepFinished> finished() {
    synchronized (events) {
      return events.stream().filter(e -> e instanceof BuildEvent.StepFinished).map(e -> (BuildEvent.StepFinished) e)
          .collect(Collectors.toList());
    }
  }

  /** The instructions of finished steps that actually ran (not from the cache), RUN/COPY/ADD only. */
  List<String> ranSteps() {
    return finished().stream().filter(e -> !e.cached() && makesLayer(e.instruction()))
        .map(BuildEvent.StepFinished::instruction).collect(Collectors.toList());
  }

  static boolean makesLayer(String instruction) {
    String word = instruction.strip().split("\\s+", 2)[0].toUpperCase(java.util.Locale.ROOT);
    return word.equals("RUN") || word.equals("COPY") || word.equals("ADD");
  }

  Manifest manifest(BuildResult r) throws Exception {
    return f.manifest(r);
  }

  ImageConfig config(BuildResult r) throws Exception {
    return f.config(r);
  }

  Map<String, BuildFixture.Entry> layer(Descriptor d) throws Exception {
    return f.layer(d);
  }

  /** The last layer of the image. */
  Map<String, BuildFixture.Entry> lastLayer(BuildResult r) throws Exception {
    List<Descriptor> layers = manifest(r).layers();
    return f.layer(layers.get(layers.size() - 1));
  }

  /**
   * The image's filesystem: its layers applied in order, whiteouts and opaque markers honoured. Keys are paths
   * without a trailing slash.
   */
  Map<String, BuildFixture.Entry> flattened(BuildResult r) throws Exception {
    TreeMap<String, BuildFixture.Entry> fs = new TreeMap<>();
    for (Descriptor d : manifest(r).layers()) {
      for (Map.Entry<String, BuildFixture.Entry> e : f.layer(d).entrySet()) {
        String path = e.getKey().replaceAll("/+$", "");
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash + 1);
        String base = path.substring(slash + 1);
        if (base.equals(".wh..wh..opq")) {
          fs.keySet().removeIf(k -> k.startsWith(dir) && !k.equals(dir.replaceAll("/$", "")));
        } else if (base.startsWith(".wh.")) {
          String gone = dir + base.substring(4);
          fs.keySet().removeIf(k -> k.equals(gone) || k.startsWith(gone + "/"));
        } else {
          fs.put(path, e.getValue());
        }
      }
    }
    return fs;
  }

  @Override
  public void close() throws Exception {
    f.close();
    String root = tmp.toRealPath().toString();
    List<String> left = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(l -> l.contains(root)).collect(Collectors.toList());
    assertThat(left).as("mounts left under " + root).isEmpty();
    Path containers = f.store.root().resolve("containers");
    if (Files.isDirectory(containers)) {
      assertThat(containers).as("container dirs left").isEmptyDirectory();
    }
  }
}
