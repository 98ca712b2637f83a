package dev.jbuild.maven;

import static dev.jbuild.maven.MavenHarness.mvn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import dev.jbuild.testing.SourceTrees;
import dev.jbuild.testing.registry.RegistryExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real Maven builds of samples/java-app and of projects under src/it with this plugin: images built and run, pushed
 * with settings.xml credentials (an encrypted password) to an htpasswd registry, rebuilt from the cache, reproducible
 * with project.build.outputTimestamp, and failing with file:line on a Dockerfile error. Runs as root (CI), since the
 * images are run with the runtime module and RUN steps then build in Maven's JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MavenPluginIT {
  private static final String USER = "it-user";
  private static final String PASSWORD = "it-pa$$word";
  private static RegistryExtension registry;
  private static Path work;
  private static Path store;
  private static Path javaApp;
  private static Path settings;
  private static Path security;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(Processes.isRoot(), "runs images with runc as root");
    work = Files.createTempDirectory("jbuild-maven-it-");
    store = work.resolve("store");
    try (Store s = Store.open(store)) {
      MavenHarness.javaBase(s, work);
    }
    registry = RegistryExtension.withBasicAuth(USER, PASSWORD);
    registry.start();
    // The password in settings.xml is encrypted the Maven way, under a master password in settings-security.xml.
    security = work.resolve("settings-security.xml");
    Files.writeString(security, "<settingsSecurity><master>"
        + MavenHarness.encrypt("--encrypt-master-password", "it-master", null) + "</master></settingsSecurity>");
    String encrypted = MavenHarness.encrypt("--encrypt-password", PASSWORD, security);
    assertThat(encrypted).doesNotContain(PASSWORD);
    settings = MavenHarness.settings(work.resolve("settings.xml"), "<server><id>" + registry.host() + "</id>"
        + "<username>" + USER + "</username><password>" + encrypted + "</password></server>");
    javaApp = SourceTrees.copyProject(MavenHarness.SAMPLES.resolve("java-app"), work.resolve("java-app"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (work != null) {
      // Image layers hold files of other owners and modes (/tmp 1777, app's dirs); rm copes with all of them.
      new ProcessBuilder("rm", "-rf", "--one-file-system", work.toString()).inheritIO().start().waitFor();
    }
  }

  private static MavenHarness.Run mvnApp(String... args) throws Exception {
    return mvn(javaApp, settings, security, store, args);
  }

  @Test
  @Order(1)
  void javaApp_package_buildsAnImageThatPrintsTheAppsLine() throws Exception {
    MavenHarness.Run run = mvnApp("package", "-Dregistry=" + registry.host());

    assertThat(run.succeeded()).as(run.log()).isTrue();
    assertThat(run.log()).contains("RUN java -XX:-UsePerfData -version").contains("| openjdk version \"17");
    assertThat(run.stepLines()).anyMatch(l -> l.endsWith("DONE"));
    String digest = Files.readString(javaApp.resolve("target/jbuild-image.digest"));
    assertThat(run.log()).contains("jbuild: built " + digest);
    assertThat(MavenHarness.runImage(store, "java-app:1.0.0")).isEqualTo("hello world from java-app on Java 17\n");
  }

  @Test
  @Order(2)
  void javaApp_rebuildWithNothingChanged_runsNoStep() throws Exception {
    MavenHarness.Run run = mvnApp("package", "-Dregistry=" + registry.host());

    assertThat(run.succeeded()).as(run.log()).isTrue();
    List<String> steps = run.stepLines();
    // FROM only resolves the base image; COPY, RUN, USER, WORKDIR, ENTRYPOINT and the label all come from the cache.
    assertThat(steps.stream().filter(l -> !l.contains("] FROM ")).toList()).hasSize(5).allMatch(l -> l.endsWith(
        "CACHED"));
    assertThat(run.log()).doesNotContain("| openjdk version");
  }

  @Test
  @Order(3)
  void javaApp_deploy_pushesWithTheSettingsServerCredentials() throws Exception {
    MavenHarness.Run run = mvnApp("deploy", "-Dregistry=" + registry.host());

    assertThat(run.succeeded()).as(run.log()).isTrue();
    // The pushed manifest names gzip layers, so its digest is the registry's, not the local (uncompressed) one.
    java.util.regex.Matcher pushed = java.util.regex.Pattern.compile("jbuild: pushed "
        + java.util.regex.Pattern.quote(registry.host() + "/samples/java-app:1.0.0") + " (sha256:[0-9a-f]{64})")
        .matcher(run.log());
    assertThat(pushed.find()).as(run.log()).isTrue();
    String digest = pushed.group(1);
    // The registry refuses anonymous access, and there is no docker config.json: the settings.xml server's
    // decrypted password is what got the push in.
    HttpResponse<String> unauthenticated = manifest(null);
    assertThat(unauthenticated.statusCode()).isEqualTo(401);
    HttpResponse<String> pulled = manifest(USER + ":" + PASSWORD);
    assertThat(pulled.statusCode()).isEqualTo(200);
    assertThat(pulled.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
  }

  @Test
  @Order(4)
  void javaApp_twoCleanBuildsWithOutputTimestamp_giveTheSameDigest_inProcessAndForked() throws Exception {
    String[] args = {"clean", "package", "-Dregistry=" + registry.host(), "-Djbuild.noCache=true",
        "-Dproject.build.outputTimestamp=2026-01-01T00:00:00Z"};
    MavenHarness.Run first = mvnApp(args);
    assertThat(first.succeeded()).as(first.log()).isTrue();
    assertThat(first.log()).contains("SOURCE_DATE_EPOCH=1767225600").doesNotContain("jbuild: forking the build");
    String digest1 = Files.readString(javaApp.resolve("target/jbuild-image.digest"));

    // The second build runs in the forked child (the path a non-root Maven takes), with every step run again.
    String[] forked = java.util.Arrays.copyOf(args, args.length + 1);
    forked[args.length] = "-Djbuild.fork=always";
    MavenHarness.Run second = mvnApp(forked);
    assertThat(second.succeeded()).as(second.log()).isTrue();
    assertThat(second.log()).contains("jbuild: forking the build").contains("| openjdk version \"17");
    assertThat(second.stepLines().stream().filter(l -> !l.contains("] FROM ")).toList()).hasSize(5)
        .allMatch(l -> l.endsWith("DONE"));
    assertThat(Files.readString(javaApp.resolve("target/jbuild-image.digest"))).isEqualTo(digest1);
    assertThat(MavenHarness.runImage(store, "java-app:1.0.0")).isEqualTo("hello world from java-app on Java 17\n");
  }

  @Test
  @Order(5)
  void javaApp_offlineWithBaseImageMissing_failsSayingSo() throws Exception {
    MavenHarness.Run run = mvnApp("-o", "package", "-Dbase.image=registry.example/none/java:17");

    assertThat(run.succeeded()).isFalse();
    assertThat(run.log()).contains("base image registry.example/none/java:17 is not in the local store")
        .contains("Maven is offline (-o)");
  }

  @Test
  @Order(7)
  void noDockerfile_java_layersTheProjectAndOneChangedClassChangesOneLayer() throws Exception {
    Path project = SourceTrees.copyProject(MavenHarness.PROJECTS.resolve("no-dockerfile"), work.resolve("greeter"));
    MavenHarness.Run run = mvn(project, settings, security, store, "package");
    assertThat(run.succeeded()).as(run.log()).isTrue();
    assertThat(MavenHarness.runImage(store, "greeter:2.0.0")).isEqualTo("Greetings, maven (picocli 4.7.6)\n");
    assertThat(project.resolve("target/greeter-2.0.0-image.tar")).isNotEmptyFile();
    List<Descriptor> before = layers("greeter:2.0.0");

    Path source = project.resolve("src/main/java/com/example/greeter/Greeter.java");
    Files.writeString(source, Files.readString(source).replace("\", \" + name", "\"; \" + name"));
    MavenHarness.Run again = mvn(project, settings, security, store, "package");
    assertThat(again.succeeded()).as(again.log()).isTrue();
    assertThat(MavenHarness.runImage(store, "greeter:2.0.0")).isEqualTo("Greetings; maven (picocli 4.7.6)\n");
    List<Descriptor> after = layers("greeter:2.0.0");

    // base, dependencies, resources, classes: only the classes layer differs.
    assertThat(after).hasSize(4).hasSameSizeAs(before);
    assertThat(after.subList(0, 3)).isEqualTo(before.subList(0, 3));
    assertThat(after.get(3)).isNotEqualTo(before.get(3));
  }

  @Test
  @Order(8)
  void badDockerfile_failsTheBuildNamingFileAndLine() throws Exception {
    Path project = SourceTrees.copyProject(MavenHarness.PROJECTS.resolve("bad-dockerfile"), work.resolve("bad"));
    MavenHarness.Run run = mvn(project, settings, security, store, "package");

    assertThat(run.succeeded()).isFalse();
    assertThat(run.log()).contains("BUILD FAILURE").contains(project.resolve("Dockerfile") + ":3");
  }

  private static List<Descriptor> layers(String name) throws Exception {
    try (Store s = Store.open(store)) {
      Descriptor d = s.images().resolve(name).orElseThrow();
      return StoredImages.read(s.blobs(), d, Platform.host(), name).manifest().layers();
    }
  }

  private static HttpResponse<String> manifest(String basic) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url()
        + "/v2/samples/java-app/manifests/1.0.0"))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json");
    if (basic != null) {
      request.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
