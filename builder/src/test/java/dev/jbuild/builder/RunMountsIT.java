package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.OciJson;
import dev.jbuild.testing.SecretScan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RUN --mount of every type, with the real runc, as root. */
class RunMountsIT {
  @TempDir Path tmp;
  private RunFixture r;

  @BeforeEach
  void setUp() throws Exception {
    r = new RunFixture(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    r.close();
  }

  @Test
  void cacheMount_persistsAcrossBuilds_andStaysOutOfTheImage() throws Exception {
    BuildResult first = r.build("FROM busybox:test\nRUN --mount=type=cache,target=/c echo one >> /c/log\n");
    assertThat(r.manifest(first).layers()).hasSize(1);
    r.build("FROM busybox:test\nRUN --mount=type=cache,target=/c echo two >> /c/log && cat /c/log\n");
    assertThat(r.output()).containsExactly("one", "two");
    assertThat(r.config(first).history().get(1).emptyLayer()).isTrue();
  }

  @Test
  void cacheMount_id_sharesOneDirBetweenTargets_andOtherIdsAreSeparate() throws Exception {
    r.build("FROM busybox:test\nRUN --mount=type=cache,id=shared,target=/x echo hi > /x/f\n"
        + "RUN --mount=type=cache,id=shared,target=/y cat /y/f\n"
        + "RUN --mount=type=cache,id=other,target=/x ls -A /x && echo listed\n");
    assertThat(r.output()).containsExactly("hi", "listed");
  }

  @Test
  void cacheMount_uidGidMode_setTheNewDirectory() throws Exception {
    r.build("FROM busybox:test\nRUN --mount=type=cache,target=/c,uid=1000,gid=1001,mode=0700 stat -c '%u %g %a' /c\n"
        + "USER app\nRUN --mount=type=cache,id=appcache,target=/d,uid=1000 touch /d/ok && echo written\n");
    assertThat(r.output()).containsExactly("1000 1001 700", "written");
  }

  @Test
  void cacheMount_readOnly_refusesWrites() throws Exception {
    r.build("FROM busybox:test\nRUN --mount=type=cache,target=/c,ro sh -c 'touch /c/x 2>/dev/null && echo writable "
        + "|| echo read-only'\n");
    assertThat(r.output()).containsExactly("read-only");
  }

  @Test
  void cacheMount_badSharing_isRefused() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=cache,target=/c,sharing=lazy true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2:34: unsupported sharing value \"lazy\"");
  }

  @Test
  void bindMount_context_isReadOnlyByDefault() throws Exception {
    r.file("dir/f", "from the context\n");
    BuildResult b = r.build("FROM busybox:test\nRUN --mount=type=bind,source=dir,target=/src cat /src/f "
        + "&& (touch /src/new 2>/dev/null && echo writable || echo read-only)\n");
    assertThat(r.output()).containsExactly("from the context", "read-only");
    assertThat(r.manifest(b).layers()).hasSize(1);
  }

  @Test
  void bindMount_contextReadWrite_writesAreDiscarded() throws Exception {
    r.file("dir/f", "original\n");
    BuildResult b = r.build("FROM busybox:test\nRUN --mount=type=bind,source=dir,target=/src,rw "
        + "sh -c 'echo changed > /src/f && touch /src/new && cat /src/f'\n");
    assertThat(r.output()).containsExactly("changed");
    assertThat(Files.readString(r.f.context.resolve("dir/f"))).isEqualTo("original\n");
    assertThat(r.f.context.resolve("dir/new")).doesNotExist();
    assertThat(r.flattened(b)).doesNotContainKeys("src/f", "src/new");
  }

  @Test
  void bindMount_fileFromTheContext_isBoundAsAFile() throws Exception {
    r.file("conf.txt", "setting=1\n");
    r.build("FROM busybox:test\nRUN --mount=type=bind,source=conf.txt,target=/etc/app.conf cat /etc/app.conf\n");
    assertThat(r.output()).containsExactly("setting=1");
  }

  @Test
  void bindMount_fromStageAndImage_seeTheirFiles_andRwWritesAreDiscarded() throws Exception {
    BuildResult b = r.build("FROM busybox:test AS build\nRUN echo built > /artifact\n"
        + "FROM busybox:test\n"
        + "RUN --mount=type=bind,from=build,source=/artifact,target=/a cat /a\n"
        + "RUN --mount=type=bind,from=busybox:test,source=/etc,target=/base-etc grep -c : /base-etc/passwd\n"
        + "RUN --mount=type=bind,from=build,target=/b,rw sh -c 'rm /b/artifact && echo scribble > /b/new'\n"
        + "RUN --mount=type=bind,from=build,target=/b cat /b/artifact\n");
    assertThat(r.output()).containsExactly("built", "3", "built");
    assertThat(r.flattened(b)).doesNotContainKeys("artifact", "a", "b/new");
  }

  /**
   * {@code --build-context docs=DIR} then {@code RUN --mount=type=bind,from=docs}: the example of docker's own docs.
   * The directory is bound read-only (rw: writes discarded), its content keys the step, its symlinks stay inside it.
   */
  @Test
  void bindMount_fromANamedDirectoryContext_readsIt_andItsContentKeysTheStep() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("page.md"), "# manual\n");
    Files.writeString(tmp.resolve("host-secret"), "host\n");
    Files.createSymbolicLink(docs.resolve("escape"), tmp.resolve("host-secret"));
    String dockerfile = "FROM busybox:test\n"
        + "RUN --mount=type=bind,from=docs,target=/docs cat /docs/page.md > /manual "
        + "&& (touch /docs/new 2>/dev/null && echo writable || echo read-only)\n"
        + "RUN --mount=type=bind,from=docs,target=/d,rw sh -c 'echo scribble > /d/page.md && cat /d/page.md'\n";
    UnaryOperator<BuildOptions.Builder> named = o -> o.buildContext("docs", docs.toString());
    BuildResult b = r.build(dockerfile, named);
    assertThat(r.output()).containsExactly("read-only", "scribble");
    assertThat(r.flattened(b).get("manual").content()).isEqualTo("# manual\n");
    assertThat(Files.readString(docs.resolve("page.md"))).isEqualTo("# manual\n");
    assertThat(docs.resolve("new")).doesNotExist();

    r.build(dockerfile, named);
    assertThat(r.ranSteps()).isEmpty();
    Files.writeString(docs.resolve("page.md"), "# manual, second edition\n");
    BuildResult edited = r.build(dockerfile, named);
    assertThat(r.ranSteps()).hasSize(2);
    assertThat(r.flattened(edited).get("manual").content()).isEqualTo("# manual, second edition\n");

    // A source that is a symlink out of the context resolves inside it (B03), where nothing is found.
    assertThatThrownBy(() -> r.build("FROM busybox:test\n"
        + "RUN --mount=type=bind,from=docs,source=escape,target=/e cat /e\n", named))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: ")
        .hasMessageContaining("not found in the build context docs");
  }

  /** A tarball named context is mounted like a directory; its stat cache is not kept (its path never recurs). */
  @Test
  void bindMount_fromATarballNamedContext_readsIt_andKeepsNoStatCacheForIt() throws Exception {
    java.io.ByteArrayOutputStream tgz = new java.io.ByteArrayOutputStream();
    try (var gz = new java.util.zip.GZIPOutputStream(tgz);
        var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(gz)) {
      byte[] content = "served\n".getBytes(StandardCharsets.UTF_8);
      var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("page.txt");
      e.setSize(content.length);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      x.sendResponseHeaders(200, tgz.size());
      x.getResponseBody().write(tgz.toByteArray());
      x.close();
    });
    server.start();
    try {
      Path stats = r.f.store.root().resolve("cache/stat");
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/site.tgz";
      UnaryOperator<BuildOptions.Builder> named = o -> o.buildContext("site", url);
      // The second mount is hashed after the racy-file window (2 s) has passed since the tarball was unpacked: a
      // stat cache would remember the file by then, if one were kept.
      r.build("FROM busybox:test\nRUN --mount=type=bind,from=site,target=/s cat /s/page.txt\nRUN sleep 2.5\n"
          + "RUN --mount=type=bind,from=site,target=/t cat /t/page.txt\n", named);
      assertThat(r.output()).containsExactly("served", "served");
      // Nothing was hashed in the build context itself, so no stat cache at all is kept.
      if (Files.exists(stats)) {
        try (var files = Files.list(stats)) {
          assertThat(files.map(Path::toString)).as("stat caches kept").isEmpty();
        }
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void bindMount_missingSource_failsNamingIt() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=bind,source=nope,target=/n true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2: ")
        .hasMessageContaining("nope");
  }

  @Test
  void tmpfsMount_isATmpfs_andItsFilesStayOutOfTheLayer() throws Exception {
    BuildResult b = r.build("FROM busybox:test\nRUN --mount=type=tmpfs,target=/scratch,size=1048576 "
        + "sh -c 'echo x > /scratch/f && grep \" /scratch \" /proc/mounts | cut -d\" \" -f3 && touch /kept'\n");
    assertThat(r.output()).containsExactly("tmpfs");
    assertThat(r.lastLayer(b).keySet()).containsExactly("kept");
  }

  @Test
  void secretMount_fileAndEnv_reachTheRun_butNoValueIsStoredAnywhere() throws Exception {
    String value = "s3cr3t-" + UUID.randomUUID();
    String envValue = "env-s3cr3t-" + UUID.randomUUID();
    Path file = Files.writeString(tmp.resolve("token.txt"), value);
    BuildResult b = r.build("FROM busybox:test\n"
        + "RUN --mount=type=secret,id=tok sh -c 'sha256sum < /run/secrets/tok; stat -c \"%a %u\" /run/secrets/tok; "
        + "cp /run/secrets/tok /tmp/not-copied-value && rm /tmp/not-copied-value; echo layer > /layer'\n"
        + "RUN --mount=type=secret,id=tok,target=/etc/custom,mode=0440,uid=1000 stat -c '%a %u' /etc/custom\n"
        + "RUN --mount=type=secret,id=envtok,env=TOKEN sh -c 'echo -n \"$TOKEN\" | sha256sum; "
        + "test -e /run/secrets/envtok || echo no-file'\n",
        o -> o.tag("secret:1").secret("tok", new BuildOptions.Secret(file, null))
            .secret("envtok", new BuildOptions.Secret(null, envValue.getBytes(StandardCharsets.UTF_8))));
    assertThat(r.output()).containsExactly(sha256(value) + "  -", "400 0", "440 1000", sha256(envValue) + "  -",
        "no-file");
    assertThat(r.flattened(b)).containsKey("layer")
        .doesNotContainKeys("run/secrets", "run/secrets/tok", "etc/custom", "tmp/not-copied-value");
    for (String secret : List.of(value, envValue)) {
      assertThat(SecretScan.filesContaining(r.f.store.root(), secret.getBytes(StandardCharsets.UTF_8)))
          .as("files under the store holding a secret").isEmpty();
    }
    ImageConfig config = r.config(b);
    assertThat(new String(OciJson.write(config), StandardCharsets.UTF_8)).doesNotContain(value, envValue);
  }

  @Test
  void secretMount_required_missing_failsNamingTheId() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=secret,id=needed,required=true true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2: secret needed is required but was not given");
  }

  @Test
  void secretMount_optionalMissing_runsWithoutTheFile() throws Exception {
    r.build("FROM busybox:test\nRUN --mount=type=secret,id=absent sh -c 'test -e /run/secrets/absent || echo none'\n");
    assertThat(r.output()).containsExactly("none");
  }

  @Test
  void sshMount_realAgent_isReachableThroughSshAuthSock() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-agent")) && Files.isExecutable(Path.of("/usr/bin/ssh-add")),
        "openssh-client is missing: run scripts/install-deps");
    Path key = tmp.resolve("id_ed25519");
    run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jbuild-test-key", "-f", key.toString()));
    String fingerprint = run(List.of("ssh-keygen", "-l", "-f", key + ".pub")).split(" ")[1];
    Path socket = tmp.resolve("agent.sock");
    Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true).start();
    try {
      for (int i = 0; i < 100 && !Files.exists(socket); i++) {
        Thread.sleep(50);
      }
      run(List.of("env", "SSH_AUTH_SOCK=" + socket, "ssh-add", key.toString()));
      copyWithLibraries(Path.of("/usr/bin/ssh-add"), r.f.context.resolve("host"));
      r.build("FROM busybox:test\nCOPY host/ /\n"
          + "RUN --mount=type=ssh sh -c 'echo sock=$SSH_AUTH_SOCK; test -S $SSH_AUTH_SOCK && ssh-add -l'\n"
          + "RUN --mount=type=ssh,id=default,target=/agent.sock sh -c 'SSH_AUTH_SOCK=/agent.sock ssh-add -l "
          + "| cut -d\" \" -f2'\n",
          o -> o.ssh("default", socket));
      List<String> out = r.output();
      assertThat(out.get(0)).isEqualTo("sock=/run/buildkit/ssh_agent.0");
      assertThat(out.get(1)).contains(fingerprint, "jbuild-test-key");
      assertThat(out.get(2)).isEqualTo(fingerprint);
    } finally {
      agent.destroy();
      agent.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sshMount_requiredWithoutAgent_fails() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=ssh,required=true true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2: ssh agent default is required but was not given");
  }

  @Test
  void mounts_severalTypesAtOnce_andTheirStubsLeaveNoTrace() throws Exception {
    r.file("ctx.txt", "c\n");
    BuildResult b = r.build("FROM busybox:test\nRUN --mount=type=cache,target=/deep/cache/dir "
        + "--mount=type=tmpfs,target=/deep/tmp --mount=type=bind,source=ctx.txt,target=/deep/ctx.txt "
        + "sh -c 'cat /deep/ctx.txt && touch /deep/cache/dir/c /deep/tmp/t /made'\n");
    assertThat(r.output()).containsExactly("c");
    assertThat(r.lastLayer(b).keySet()).containsExactly("made");
  }

  /**
   * An rw bind of a single file (from a named directory or the context) lets the step write to it, and the write is
   * discarded, as BuildKit does: the host file is never touched (an overlay of its directory takes the write).
   */
  @Test
  void bind_rwOfAFile_writesAreSeenInTheStep_andNeverReachTheHost() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("page.md"), "# manual\n");
    UnaryOperator<BuildOptions.Builder> named = o -> o.buildContext("docs", docs.toString());
    r.build("FROM busybox:test\nRUN --mount=type=bind,from=docs,source=page.md,target=/p,rw "
        + "sh -c 'echo changed > /p && grep -qx changed /p'\n", named);
    assertThat(Files.readString(docs.resolve("page.md"))).isEqualTo("# manual\n");

    r.file("conf.txt", "setting=1\n");
    r.build("FROM busybox:test\nRUN --mount=type=bind,source=conf.txt,target=/c,rw "
        + "sh -c 'echo changed > /c && grep -qx changed /c'\n");
    assertThat(Files.readString(r.f.context.resolve("conf.txt"))).isEqualTo("setting=1\n");
  }

  /**
   * A bind of the context, or of a named directory, shows it as BuildKit does: without what its .dockerignore leaves
   * out (an excluded directory's re-included file stays). An ignored file is not in the step's key, and naming it
   * as the source is "not found".
   */
  @Test
  void bindMount_leavesOutWhatTheDockerignoreExcludes_fromTheMountAndTheKey() throws Exception {
    r.file(".dockerignore", "secret.env\nlogs\nbuild/*\n!build/keep.txt\n");
    r.file("secret.env", "TOKEN=abc\n");
    r.file("logs/a.log", "log\n");
    r.file("build/drop.o", "obj\n");
    r.file("build/keep.txt", "kept\n");
    r.file("src/main.c", "int main;\n");
    String dockerfile = "FROM busybox:test\nRUN --mount=type=bind,target=/src "
        + "sh -c 'cd /src && find . | sort | tr \"\\n\" \" \"; echo'\n";
    r.build(dockerfile);
    assertThat(r.output()).filteredOn(l -> !l.isBlank()).containsExactly(
        ". ./.dockerignore ./Dockerfile ./build ./build/keep.txt ./src ./src/main.c ");
    r.file("secret.env", "TOKEN=changed\n");
    r.build(dockerfile);
    assertThat(r.ranSteps()).as("an edit of an ignored file").isEmpty();
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=bind,source=secret.env,target=/s cat /s\n"))
        .isInstanceOf(BuildException.class).hasMessageStartingWith("Dockerfile:2: ")
        .hasMessageContaining("not found in the context");

    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve(".dockerignore"), "private\n");
    Files.writeString(docs.resolve("page.md"), "# manual\n");
    Files.writeString(docs.resolve("private"), "x\n");
    r.build("FROM busybox:test\nRUN --mount=type=bind,from=docs,target=/d,rw sh -c 'ls /d | tr \"\\n\" \" \"; echo'\n",
        o -> o.buildContext("docs", docs.toString()));
    assertThat(r.output()).filteredOn(l -> !l.isBlank()).containsExactly("page.md ");
    assertThat(docs.resolve("private")).hasContent("x");
  }

  static String sha256(String s) {
    return Digest.sha256Of(s.getBytes(StandardCharsets.UTF_8)).hex();
  }

  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(command + ": " + out).isZero();
    return out;
  }

  /** Copies a host binary and the shared libraries ldd lists into {@code root}, at their host paths. */
  static void copyWithLibraries(Path binary, Path root) throws Exception {
    List<Path> files = new ArrayList<>(List.of(binary));
    Matcher m = Pattern.compile("(/\\S+) \\(0x").matcher(run(List.of("ldd", binary.toString())));
    while (m.find()) {
      files.add(Path.of(m.group(1)));
    }
    for (Path p : files) {
      Path target = root.resolve(p.toString().substring(1));
      Files.createDirectories(target.getParent());
      Files.copy(p.toRealPath(), target);
      Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(files).as("ldd found the libraries").hasSizeGreaterThan(1);
  }
}
