package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.testing.SourceTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user of the Maven plugin does: make the offline Java base, run {@code mvn package} in samples/java-app, then
 * {@code jbuild run} the image it built. The plugin comes from the repository maven-plugin's integration tests install
 * it into (earlier in the same reactor build); everything else Maven needs is read from the user's repository as a
 * file:// mirror, so ~/.m2 is never written.
 */
class JavaAppSampleIT {
  private static final Path REPO = Processes.repoRoot();
  private static final Path IT_REPO = REPO.resolve("maven-plugin/target/it-repo");

  @TempDir static Path tmp;
  private static Map<String, String> env;
  private static Path store;
  private static Path settings;

  @BeforeAll
  static void javaBase() throws Exception {
    assumeTrue(Files.isDirectory(IT_REPO.resolve("dev/jbuild/jbuild-maven-plugin")),
        "the plugin is installed into " + IT_REPO + " by maven-plugin's integration tests; run the whole reactor");
    store = tmp.resolve("store");
    env = Map.of("JBUILD_ROOT", store.toString());
    Processes.Output base = Processes.run(List.of(REPO.resolve("samples/java-app/make-base").toString()), env, REPO);
    assertThat(base.exit()).as(base.toString()).isZero();
    Path userRepo = Path.of(System.getProperty("user.home"), ".m2", "repository");
    settings = Files.writeString(tmp.resolve("settings.xml"), "<settings><mirrors><mirror><id>user</id>"
        + "<mirrorOf>*</mirrorOf><url>" + userRepo.toUri() + "</url></mirror></mirrors></settings>\n");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (store != null) {
      // The store holds files of other owners and modes (the image's /tmp, app's dirs); rm copes with them all.
      new ProcessBuilder("rm", "-rf", "--one-file-system", store.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void javaApp_mvnPackage_thenJbuildRun_printsTheAppsLine() throws Exception {
    mvnPackage(REPO.resolve("samples/java-app"), "java-app");
    assertThat(jbuildRun("java-app:1.0.0")).startsWith("hello world from java-app on Java ");
  }

  @Test
  void projectWithoutDockerfile_mvnPackage_thenJbuildRun_printsTheAppsLine() throws Exception {
    mvnPackage(REPO.resolve("maven-plugin/src/it/no-dockerfile"), "no-dockerfile");
    assertThat(jbuildRun("greeter:2.0.0")).isEqualTo("Greetings, maven (picocli 4.7.6)\n");
  }

  private static void mvnPackage(Path sample, String name) throws Exception {
    Path project = SourceTrees.copyProject(sample, tmp.resolve(name));
    Processes.Output mvn = Processes.run(List.of("mvn", "-B", "-ntp", "-s", settings.toString(),
        "-Dmaven.repo.local=" + IT_REPO, "-Daether.offline.protocols=file", "-Djbuild.root=" + store, "package"),
        Map.of(), project);
    assertThat(mvn.exit()).as(mvn.toString()).isZero();
    assertThat(mvn.out()).contains("BUILD SUCCESS");
  }

  private static String jbuildRun(String image) throws Exception {
    Processes.Output run = Processes.run(List.of(REPO.resolve("jbuild").toString(), "run", "--rm", image), env, tmp);
    assertThat(run.exit()).as(run.toString()).isZero();
    return run.out();
  }
}
