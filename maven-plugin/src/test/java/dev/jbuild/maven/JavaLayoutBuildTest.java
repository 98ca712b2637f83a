package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.builder.BuildListener;
import dev.jbuild.builder.BuildOptions;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import dev.jbuild.testing.BaseImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The <java> layering through the real builder: reproducible layers, and one changed class changes one layer. */
class JavaLayoutBuildTest {
  @TempDir Path tmp;

  @Test
  void build_oneClassChanged_onlyTheClassesLayerChanges() throws Exception {
    Path storeRoot = tmp.resolve("store");
    try (Store store = Store.open(storeRoot)) {
      BaseImages.busybox(store, "busybox:base");
    }
    Path classes = Files.createDirectories(tmp.resolve("classes/com/example"));
    Files.writeString(classes.resolve("Main.class"), "v1");
    Files.writeString(classes.resolve("Util.class"), "util");
    Files.writeString(tmp.resolve("classes/app.properties"), "a=1");
    Path lib = Files.writeString(tmp.resolve("lib.jar"), "library");
    List<JavaLayout.Dependency> deps = List.of(new JavaLayout.Dependency(lib, "lib-1.0.jar", false));
    JavaImage java = JavaLayoutTest.image("busybox:base", "com.example.Main");
    JavaLayout layout = new JavaLayout(tmp.resolve("stage"));

    List<Descriptor> first = layers(storeRoot, layout.prepare(java, tmp.resolve("classes"), deps));
    // A recompile touches every class file; only Main's content changes.
    Files.setLastModifiedTime(classes.resolve("Util.class"), FileTime.from(Instant.now().plusSeconds(60)));
    Files.writeString(classes.resolve("Main.class"), "v2");
    List<Descriptor> second = layers(storeRoot, layout.prepare(java, tmp.resolve("classes"), deps));

    assertThat(first).hasSize(4).hasSameSizeAs(second); // busybox, libs, resources, classes
    assertThat(second.subList(0, 3)).isEqualTo(first.subList(0, 3));
    assertThat(second.get(3)).isNotEqualTo(first.get(3));
  }

  private static List<Descriptor> layers(Path storeRoot, Path dockerfile) throws Exception {
    BuildRequest request = new BuildRequest(BuildOptions.builder(dockerfile.getParent()).dockerfile(dockerfile)
        .tag("java-layout:1").sourceDateEpoch(Instant.EPOCH).build(), storeRoot, true, null);
    BuildResult result = Builds.run(request, BuildListener.NONE);
    try (Store store = Store.open(storeRoot)) {
      return StoredImages.read(store.blobs(), result.manifest(), Platform.host(), "java-layout:1").manifest().layers();
    }
  }
}
