package dev.jbuild.maven;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Platform;
import dev.jbuild.runtime.ContainerSpec;
import dev.jbuild.runtime.Containers;
import dev.jbuild.runtime.RunResult;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.archive.RootfsImporter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs real Maven builds (the {@code mvn} that runs this build) against a private local repository that
 * {@code invoker:install} filled with this plugin, reading everything else from the user's repository as a
 * file:// mirror, so no test ever writes ~/.m2. Also makes the Java base image and runs images, as a user would.
 */
final class MavenHarness {
  static final Path IT_REPO = Path.of(System.getProperty("jbuild.it.repo", "target/it-repo")).toAbsolutePath();
  static final Path MAVEN_HOME = Path.of(System.getProperty("jbuild.it.mavenHome", "/usr/share/maven"));
  static final Path USER_REPO = Path.of(System.getProperty("jbuild.it.userRepo",
      System.getProperty("user.home") + "/.m2/repository"));
  static final Path SAMPLES = Path.of(System.getProperty("jbuild.it.samples", "../samples")).toAbsolutePath();
  static final Path PROJECTS = Path.of(System.getProperty("jbuild.it.projects", "src/it")).toAbsolutePath();
  static final String PLUGIN_VERSION = System.getProperty("jbuild.it.pluginVersion", "0.1.0-SNAPSHOT");

  private MavenHarness() {}

  /** What one Maven run printed and how it ended. */
  record Run(int exitCode, String log) {
    boolean succeeded() {
      return exitCode == 0 && log.contains("BUILD SUCCESS");
    }

    /** The plugin's per-step lines: {@code #N [stage i/n] INSTRUCTION (CACHED|DONE) T}. */
    List<String> stepLines() {
      List<String> out = new ArrayList<>();
      Matcher m = Pattern.compile("(?m)^\\[INFO\\] (#\\d+ \\[[^\\]]+\\] .*?|#\\d+) (CACHED|DONE) \\d+\\.\\d\\ds$")
          .matcher(log);
      while (m.find()) {
        out.add(m.group(1) + " " + m.group(2));
      }
      return out;
    }
  }

  /** Runs {@code mvn -B -ntp -s settings ARGS} in {@code project}. */
  static Run mvn(Path project, Path settings, Path settingsSecurity, Path store, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(MAVEN_HOME.resolve("bin/mvn").toString(), "-B", "-ntp",
        "-s", settings.toString(), "-Dmaven.repo.local=" + IT_REPO,
        // The user repository is a file:// mirror: allowed in offline (-o) runs too.
        "-Daether.offline.protocols=file",
        "-Djbuild.version=" + PLUGIN_VERSION, "-Djbuild.root=" + store));
    if (settingsSecurity != null) {
      cmd.add("-Dsettings.security=" + settingsSecurity);
    }
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
    pb.environment().remove("MAVEN_OPTS");
    pb.environment().remove("MAVEN_ARGS");
    // No docker config.json: registry credentials can only come from settings.xml.
    Path dockerConfig = Files.createDirectories(project.resolveSibling("empty-docker-config"));
    pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
    Process p = pb.start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("mvn " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** {@code mvn --encrypt-master-password} / {@code --encrypt-password}: Maven's own encryption, as users do it. */
  static String encrypt(String option, String value, Path settingsSecurity) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(MAVEN_HOME.resolve("bin/mvn").toString(), "-B", option, value));
    if (settingsSecurity != null) {
      cmd.add("-Dsettings.security=" + settingsSecurity);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0 || !out.matches("(?s).*\\{[^}]+\\}.*")) {
      throw new IOException("mvn " + option + " failed: " + out);
    }
    Matcher m = Pattern.compile("\\{[^}]+\\}").matcher(out);
    m.find();
    return m.group();
  }

  /** A settings.xml reading plugins and dependencies from the user repository, with optional servers. */
  static Path settings(Path file, String servers) throws IOException {
    Files.writeString(file, "<settings>\n"
        + "  <mirrors><mirror><id>user-repository</id><mirrorOf>*</mirrorOf>"
        + "<url>" + USER_REPO.toUri() + "</url></mirror></mirrors>\n"
        + "  <servers>" + servers + "</servers>\n"
        + "</settings>\n");
    return file;
  }

  /**
   * Makes jbuild-java-base:17 in {@code store} from the root filesystem samples/java-app/make-base writes (busybox,
   * a jlinked runtime and its host libraries), with the config make-base gives it through {@code jbuild import}.
   */
  static Descriptor javaBase(Store store, Path work) throws Exception {
    Path tar = work.resolve("java-base-rootfs.tar");
    Process p = new ProcessBuilder(SAMPLES.resolve("java-app/make-base").toString(), "--tar", tar.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("make-base failed: " + out);
    }
    ContainerConfig cc = ContainerConfig.EMPTY
        .withEnv("PATH", "/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .withEnv("JAVA_HOME", "/opt/java").withCmd(List.of("java", "-version"));
    ImageConfig config = ImageConfig.scratch(Platform.host()).withConfig(cc).withCreated(Instant.EPOCH);
    Descriptor manifest;
    try (InputStream in = Files.newInputStream(tar)) {
      manifest = RootfsImporter.importRootfs(store.blobs(), in, config,
          new ImageConfig.HistoryEntry(Instant.EPOCH, null, null, "make-base", false), tar.toString());
    }
    store.images().tag("jbuild-java-base:17", manifest);
    return manifest;
  }

  /** Runs a stored image's entrypoint and command as its user (the images here use root or app=1000). */
  static String runImage(Path storeRoot, String name) throws Exception {
    try (Store store = Store.open(storeRoot)) {
      Descriptor d = store.images().resolve(name).orElseThrow();
      ContainerConfig cc = StoredImages.read(store.blobs(), d, Platform.host(), name).config().config();
      List<String> args = new ArrayList<>(cc.entrypoint() == null ? List.of() : cc.entrypoint());
      args.addAll(cc.cmd() == null ? List.of() : cc.cmd());
      long uid = "app".equals(cc.user()) ? 1000 : 0;
      ContainerSpec spec = ContainerSpec.of(args).withUser(uid, uid)
          .withCwd(cc.workingDir() == null || cc.workingDir().isEmpty() ? "/" : cc.workingDir());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      RunResult r = Containers.run(store, d, name, spec, new ByteArrayInputStream(new byte[0]), out, err, false);
      if (r.exitCode() != 0) {
        throw new IOException(name + " exited with " + r.exitCode() + ": " + err.toString(StandardCharsets.UTF_8));
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
