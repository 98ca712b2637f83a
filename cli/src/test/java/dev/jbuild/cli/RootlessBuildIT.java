package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.compress.Decompress;
import dev.jbuild.testing.SecretScan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds with RUN steps as the unprivileged user {@code jbuildtest}, through an installed copy of the real launcher
 * ({@code bin/jbuild} beside {@code lib/jbuild.jar}), which re-executes itself in a user namespace with the user's
 * subordinate ids. The base image is imported by that user from a busybox rootfs tar, so the whole store is theirs.
 */
class RootlessBuildIT {
  private static final String USER = System.getenv().getOrDefault("JBUILD_TEST_USER", "jbuildtest");
  private static final String ENV_MARKER = "leaked-" + UUID.randomUUID();
  private static final String FILE_SECRET = "file-secret-" + UUID.randomUUID();
  private static final String ENV_SECRET = "env-secret-" + UUID.randomUUID();
  private static final Pattern STEP_LINE = Pattern.compile("^#\\d+ (.*)$", Pattern.MULTILINE);

  @TempDir static Path tmp;
  private static long uid;
  private static long subStart;
  private static long subCount;
  private static Path store;
  private static Processes.Output build;
  private static List<String> runLines;

  @BeforeAll
  static void buildAsTheTestUser() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to the test user with runuser");
    Processes.Output id = Processes.run(List.of("id", "-u", USER), Map.of(), null);
    assumeTrue(id.exit() == 0, "no test user " + USER + " on this machine (scripts/install-deps creates it)");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare (util-linux) is missing");
    String subuid = Files.readAllLines(Path.of("/etc/subuid")).stream().filter(l -> l.startsWith(USER + ":"))
        .findFirst().orElse(null);
    assumeTrue(subuid != null, USER + " has no range in /etc/subuid (scripts/install-deps adds one)");
    uid = Long.parseLong(id.out().strip());
    subStart = Long.parseLong(subuid.split(":")[1]);
    subCount = Long.parseLong(subuid.split(":")[2]);

    install();
    Path home = userDir("home");
    store = userDir("store");
    Path rootfs = busyboxRootfsTar();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(tmp.resolve("secret.txt"), FILE_SECRET);
    chmodReadable(tmp);
    Processes.Output imported = asUser(List.of("import", rootfs.toString(), "bb:1"), Map.of());
    assertThat(imported.exit()).as(imported.toString()).isZero();

    Files.writeString(ctx.resolve("hello.txt"), "hello from the context\n");
    Path secretFile = tmp.resolve("secret.txt");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM bb:1\n"
        + "COPY hello.txt /hello.txt\n"
        + "RUN touch /owned && chown 1000:1000 /owned && rm /etc/motd\n"
        + "RUN --network=none sh -c 'echo NET $(grep : /proc/net/dev | cut -d: -f1 | tr -d \" \" | tr \"\\n\" \" \")'\n"
        + "RUN --mount=type=cache,target=/cache sh -c 'echo first > /cache/note; echo CACHE written'\n"
        + "RUN --mount=type=secret,id=tok sh -c 'echo FILESECRET $(sha256sum < /run/secrets/tok)'\n"
        + "RUN --mount=type=secret,id=envtok,env=TOKEN sh -c 'echo ENVSECRET $(echo -n \"$TOKEN\" | sha256sum)'\n"
        + "RUN echo ENV-START && env && echo ENV-END\n"
        + "USER app\n"
        + "RUN echo ID $(id)\n");
    chmodReadable(tmp);
    build = asUser(List.of("build", "--progress=plain", "-t", "rootless:1", "--secret", "id=tok,src=" + secretFile,
        "--secret", "id=envtok,env=TOKEN_VAR", ctx.toString()),
        Map.of("TOKEN_VAR", ENV_SECRET, "AWS_SECRET_ACCESS_KEY", ENV_MARKER, "HOME", home.toString()));
    runLines = new ArrayList<>();
    Matcher m = STEP_LINE.matcher(build.out() + build.err());
    while (m.find()) {
      runLines.add(m.group(1));
    }
  }

  /** Lays out an installed jbuild: TMP/bin/jbuild (the launcher) and TMP/lib/* (the jars the build made). */
  private static void install() throws IOException {
    Path repo = Processes.repoRoot();
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.copy(repo.resolve("jbuild"), bin.resolve("jbuild"));
    Path lib = Files.createDirectories(tmp.resolve("lib"));
    try (Stream<Path> jars = Files.list(repo.resolve("cli/target/lib"))) {
      for (Path jar : (Iterable<Path>) jars::iterator) {
        Files.copy(jar, lib.resolve(jar.getFileName()));
      }
    }
    assertThat(lib.resolve("jbuild.jar")).exists();
  }

  private static Path userDir(String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    assertThat(Processes.run(List.of("chown", USER + ":", dir.toString()), Map.of(), null).exit()).isZero();
    return dir;
  }

  /** A root filesystem with busybox-static, users root and app (1000), made with GNU tar as root-owned entries. */
  private static Path busyboxRootfsTar() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("rootfs"));
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    for (String applet : List.of("sh", "id", "touch", "rm", "cat", "ls", "stat", "chown", "mkdir", "echo", "env",
        "grep", "cut", "tr", "sha256sum", "true")) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    Path etc = Files.createDirectories(root.resolve("etc"));
    Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
    Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:1000:\n");
    Files.writeString(etc.resolve("motd"), "removed by a RUN step\n");
    Files.createDirectories(root.resolve("tmp"));
    Files.createDirectories(root.resolve("root"));
    Path tar = tmp.resolve("rootfs.tar");
    Processes.Output out = Processes.run(List.of("tar", "-C", root.toString(), "--numeric-owner", "--owner=0",
        "--group=0", "-cf", tar.toString(), "."), Map.of(), null);
    assertThat(out.exit()).as(out.toString()).isZero();
    return tar;
  }

  private static void chmodReadable(Path dir) throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String sub : List.of("bin", "lib", "ctx", "rootfs.tar", "secret.txt")) {
      assertThat(Processes.run(List.of("chmod", "-R", "a+rX", dir.resolve(sub).toString()), Map.of(), null).exit())
          .isZero();
    }
  }

  /** Runs the installed launcher as the test user, with {@code JBUILD_ROOT} set to the user's store. */
  private static Processes.Output asUser(List<String> args, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("runuser", "-u", USER, "--", "env",
        "HOME=" + tmp.resolve("home"), "JBUILD_ROOT=" + store));
    env.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.add(tmp.resolve("bin/jbuild").toString());
    cmd.addAll(args);
    return Processes.run(cmd, Map.of(), tmp);
  }

  private static void assertBuilt() {
    assertThat(build.exit()).as(build.toString()).isZero();
  }

  /** The layers of an image tagged in the user's store, read from the OCI layout as plain files (nothing written). */
  private static List<Map<String, TarArchiveEntry>> layers(String tag) throws Exception {
    ImageIndex index = OciJson.readIndex(Files.readAllBytes(store.resolve("index.json")));
    Descriptor d = index.manifests().stream()
        .filter(m -> m.annotations().getOrDefault("org.opencontainers.image.ref.name", "").contains(tag))
        .findFirst().orElseThrow();
    Manifest manifest = OciJson.readManifest(Files.readAllBytes(blob(d.digest())));
    List<Map<String, TarArchiveEntry>> out = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
      try (InputStream in = Decompress.open(Files.newInputStream(blob(layer.digest())), 1L << 30);
          TarArchiveInputStream t = new TarArchiveInputStream(in)) {
        for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
          entries.put(e.getName().replaceAll("/$", ""), e);
        }
      }
      out.add(entries);
    }
    return out;
  }

  private static Path blob(Digest digest) {
    return store.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  private static List<String> linesStartingWith(String prefix) {
    return runLines.stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
  }

  @Test
  void build_rootlessRoot_chownToAnotherUid_layerEntryHasThatUid() throws Exception {
    assertBuilt();
    List<Map<String, TarArchiveEntry>> layers = layers("rootless:1");
    TarArchiveEntry owned = layers.stream().filter(l -> l.containsKey("owned")).findFirst().orElseThrow()
        .get("owned");
    assertThat(owned.getLongUserId()).isEqualTo(1000);
    assertThat(owned.getLongGroupId()).isEqualTo(1000);
  }

  @Test
  void build_rmInRun_writesAWhiteoutFromTheRootlessOverlay() throws Exception {
    assertBuilt();
    Map<String, TarArchiveEntry> runLayer = layers("rootless:1").stream().filter(l -> l.containsKey("owned"))
        .findFirst().orElseThrow();
    assertThat(runLayer.keySet()).contains("etc/.wh.motd").doesNotContain("etc/motd");
    // The overlay keeps its whiteouts in user.overlay.* xattrs when rootless; none may reach the layer.
    assertThat(runLayer.values()).allSatisfy(e -> assertThat(e.getExtraPaxHeaders().keySet())
        .noneMatch(k -> k.contains("overlay")));
  }

  @Test
  void build_copy_addsTheContextFile() throws Exception {
    assertBuilt();
    List<Map<String, TarArchiveEntry>> layers = layers("rootless:1");
    assertThat(layers.get(1).keySet()).containsExactly("hello.txt");
    assertThat(layers.get(1).get("hello.txt").getSize()).isEqualTo("hello from the context\n".length());
  }

  @Test
  void build_userByName_runsAsItsUidAndGroups() {
    assertBuilt();
    assertThat(linesStartingWith("ID ")).containsExactly("ID uid=1000(app) gid=1000(app) groups=1000(app)");
  }

  @Test
  void build_networkNone_seesOnlyLoopback() {
    assertBuilt();
    assertThat(linesStartingWith("NET ")).containsExactly("NET lo");
  }

  @Test
  void build_secrets_reachTheRun_andNoValueIsLeftInTheStore() throws Exception {
    assertBuilt();
    assertThat(linesStartingWith("FILESECRET ")).containsExactly("FILESECRET " + sha256(FILE_SECRET) + " -");
    assertThat(linesStartingWith("ENVSECRET ")).containsExactly("ENVSECRET " + sha256(ENV_SECRET) + " -");
    for (String secret : List.of(FILE_SECRET, ENV_SECRET)) {
      assertThat(SecretScan.filesContaining(store, secret.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
  }

  @Test
  void build_runEnvironment_B18_holdsOnlyDockerfileValues_notTheBuilderProcessEnv() {
    assertBuilt();
    int start = runLines.indexOf("ENV-START");
    int end = runLines.indexOf("ENV-END");
    assertThat(start).isNotNegative().isLessThan(end);
    List<String> names = runLines.subList(start + 1, end).stream().map(l -> l.substring(0, l.indexOf('=')))
        .sorted().collect(Collectors.toList());
    // PATH from the builder; HOME, HOSTNAME from the runtime; PWD and SHLVL from the shell.
    assertThat(names).isSubsetOf("HOME", "HOSTNAME", "PATH", "PWD", "SHLVL").contains("PATH");
    assertThat(build.out() + build.err()).doesNotContain(ENV_MARKER);
  }

  @Test
  void build_cacheMount_persistsForTheNextBuildOfTheUser() throws Exception {
    assertBuilt();
    assertThat(linesStartingWith("CACHE ")).containsExactly("CACHE written");
    Path ctx = Files.createDirectories(tmp.resolve("ctx-cache"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM bb:1\n"
        + "RUN --mount=type=cache,target=/cache sh -c 'echo READ $(cat /cache/note)'\n");
    chmodReadable(tmp);
    assertThat(Processes.run(List.of("chmod", "-R", "a+rX", ctx.toString()), Map.of(), null).exit()).isZero();
    Processes.Output second = asUser(List.of("build", "--progress=plain", ctx.toString()), Map.of());
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(second.out() + second.err()).contains("READ first");
  }

  @Test
  void store_everyFile_belongsToTheUserOrItsSubordinateIds() throws Exception {
    assertBuilt();
    List<String> foreign = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(store)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        long u = ((Integer) a.get("uid")).longValue();
        long g = ((Integer) a.get("gid")).longValue();
        if (!ours(u) || !ours(g)) {
          foreign.add(p + " " + u + ":" + g);
        }
      }
    }
    assertThat(foreign).isEmpty();
  }

  private static boolean ours(long id) {
    return id == uid || (id >= subStart && id < subStart + subCount);
  }

  private static String sha256(String s) {
    return Digest.sha256Of(s.getBytes(StandardCharsets.UTF_8)).hex();
  }
}
