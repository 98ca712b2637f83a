package dev.jbuild.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaLayoutTest {
  @TempDir Path tmp;

  static JavaImage image(String from, String main) {
    JavaImage j = new JavaImage();
    j.from = from;
    j.mainClass = main;
    return j;
  }

  @Test
  void dockerfile_allLayers_copiesInJibOrderAndRunsTheMainClass() {
    JavaImage j = image("base:1", "com.example.Main");
    j.jvmFlags.add("-Xmx64m");
    j.args.add("--port=8080");
    j.user = "app";
    String d = JavaLayout.dockerfile(j, List.of("libs", "snapshot-libs", "resources", "classes"));
    assertThat(d.lines().filter(l -> !l.startsWith("#")).toList()).containsExactly(
        "FROM base:1",
        "COPY libs/ /app/libs/",
        "COPY snapshot-libs/ /app/libs/",
        "COPY resources/ /app/resources/",
        "COPY classes/ /app/classes/",
        "USER app",
        "WORKDIR /app",
        "ENTRYPOINT [\"java\", \"-Xmx64m\", \"-cp\", \"/app/resources:/app/classes:/app/libs/*\", \"com.example.Main\"]",
        "CMD [\"--port=8080\"]");
  }

  @Test
  void prepare_splitsClassesFromResourcesAndSnapshotsFromReleases() throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("classes/com/example"));
    Files.writeString(classes.resolve("Main.class"), "bytecode");
    Files.writeString(tmp.resolve("classes/app.properties"), "a=1");
    Path lib = Files.writeString(tmp.resolve("lib.jar"), "jar");
    Path snap = Files.writeString(tmp.resolve("snap.jar"), "snapshot jar");
    Path stage = tmp.resolve("stage");

    Path dockerfile = new JavaLayout(stage).prepare(image("base:1", "com.example.Main"), tmp.resolve("classes"),
        List.of(new JavaLayout.Dependency(lib, "lib-1.0.jar", false),
            new JavaLayout.Dependency(snap, "snap-2.0-SNAPSHOT.jar", true)));

    assertThat(dockerfile).isEqualTo(stage.resolve("Dockerfile"));
    assertThat(stage.resolve("classes/com/example/Main.class")).hasContent("bytecode");
    assertThat(stage.resolve("classes/app.properties")).doesNotExist();
    assertThat(stage.resolve("resources/app.properties")).hasContent("a=1");
    assertThat(stage.resolve("libs/lib-1.0.jar")).hasContent("jar");
    assertThat(stage.resolve("snapshot-libs/snap-2.0-SNAPSHOT.jar")).hasContent("snapshot jar");
  }

  @Test
  void prepare_again_removesWhatTheProjectNoLongerHasAndDropsEmptyLayers() throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("classes/com/example"));
    Files.writeString(classes.resolve("Main.class"), "v1");
    Files.writeString(classes.resolve("Old.class"), "old");
    Path lib = Files.writeString(tmp.resolve("lib.jar"), "jar");
    JavaLayout layout = new JavaLayout(tmp.resolve("stage"));
    JavaImage j = image("base:1", "com.example.Main");
    layout.prepare(j, tmp.resolve("classes"), List.of(new JavaLayout.Dependency(lib, "lib-1.0.jar", false)));

    Files.delete(classes.resolve("Old.class"));
    Files.writeString(classes.resolve("Main.class"), "v2");
    Path dockerfile = layout.prepare(j, tmp.resolve("classes"), List.of());

    assertThat(tmp.resolve("stage/classes/com/example/Old.class")).doesNotExist();
    assertThat(tmp.resolve("stage/classes/com/example/Main.class")).hasContent("v2");
    assertThat(tmp.resolve("stage/libs/lib-1.0.jar")).doesNotExist();
    assertThat(Files.readString(dockerfile)).doesNotContain("COPY libs/").contains("COPY classes/ /app/classes/");
  }

  @Test
  void fileNames_collidingArtifactIds_getTheGroupPrefix() {
    List<String[]> gavcs = new ArrayList<>();
    gavcs.add(new String[] {"org.a", "util", "1.0", null});
    gavcs.add(new String[] {"org.b", "util", "1.0", ""});
    gavcs.add(new String[] {"org.c", "core", "2.1", "linux"});
    assertThat(JavaLayout.fileNames(gavcs)).containsExactly("org.a-util-1.0.jar", "org.b-util-1.0.jar",
        "core-2.1-linux.jar");
  }

  @Test
  void prepare_withoutFromOrWithBadMainClass_failsSayingWhatIsMissing() {
    JavaLayout layout = new JavaLayout(tmp.resolve("stage"));
    assertThatThrownBy(() -> layout.prepare(image(null, "a.Main"), tmp, List.of()))
        .hasMessageContaining("<from>");
    assertThatThrownBy(() -> layout.prepare(image("b:1", "a.Main; rm -rf /"), tmp, List.of()))
        .hasMessageContaining("<mainClass>");
  }
}
