package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group B of security/CASES.md for RUN steps (B08 to B13) and the WORKDIR /proc/self/fd trick of section 6 (X01):
 * nothing a Dockerfile writes can make a RUN read or change the host.
 */
class RunSecurityIT {
  @TempDir Path tmp;
  private RunFixture r;
  private Path hostDir;
  private String hostSecret;

  @BeforeEach
  void setUp() throws Exception {
    r = new RunFixture(tmp);
    hostSecret = "HOST-ONLY-" + UUID.randomUUID();
    hostDir = Files.createDirectories(tmp.resolve("hostdir"));
    Files.writeString(hostDir.resolve("file.txt"), hostSecret + "\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    r.close();
    assertThat(Files.readString(hostDir.resolve("file.txt"))).isEqualTo(hostSecret + "\n");
    try (Stream<Path> s = Files.list(hostDir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("file.txt");
    }
  }

  private static String up() {
    return "../".repeat(12);
  }

  @Test
  void cacheMount_idWithDotDots_B09_isJustANameAndCannotReachTheHost() throws Exception {
    r.build("FROM busybox:test\nRUN --mount=type=cache,id=" + up() + hostDir.toString().substring(1)
        + ",target=/x sh -c 'cat /x/file.txt 2>/dev/null || echo not-visible; touch /x/planted'\n");
    assertThat(r.output()).containsExactly("not-visible");
    assertThat(hostDir.resolve("planted")).doesNotExist();
  }

  @Test
  void cacheMount_sourceWithDotDots_B09_staysInsideTheCache() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=cache,id=b09,source=" + up()
        + hostDir.toString().substring(1) + ",target=/x cat /x/file.txt\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2: cache mount source ")
        .hasMessageContaining("not found");
    assertThat(r.output()).noneMatch(l -> l.contains(hostSecret));
  }

  @Test
  void bindMount_contextSourceWithDotDots_B09_isRefused() {
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=bind,source=" + up()
        + hostDir.toString().substring(1) + ",target=/x cat /x/file.txt\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:2: ");
    assertThat(r.output()).isEmpty();
  }

  @Test
  void cacheMount_sourceSymlinkOutOfTheCache_B10_failsTheBuild() throws Exception {
    String seed = "FROM busybox:test\nRUN --mount=type=cache,id=c10,target=/cache sh -c "
        + "'ln -s /etc /cache/sel; ln -s real /cache/rel; mkdir -p /cache/real; echo inside > /cache/real/f'\n";
    // A link that stays inside the cache works; one that leaves it is resolved inside the cache and not found.
    r.build(seed + "RUN --mount=type=cache,id=c10,source=rel,target=/x cat /x/f\n");
    assertThat(r.output()).containsExactly("inside");
    assertThatThrownBy(() -> r.build(seed + "RUN --mount=type=cache,id=c10,source=sel,target=/x cat /x/passwd\n"))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:3: cache mount source \"sel\" not found");
    assertThat(r.output()).noneMatch(l -> l.contains("jbuildtest"));
  }

  @Test
  void bindMount_fromStageSymlinkToRoot_rw_B11_createsNothingOnTheHost() throws Exception {
    String name = "BIND_BREAKOUT_" + UUID.randomUUID();
    BuildResult b = r.build("FROM busybox:test AS base\nRUN ln -s / /rootdir\n"
        + "FROM busybox:test\nRUN --mount=type=bind,from=base,source=/rootdir,destination=/exploit,rw "
        + "sh -c 'touch /exploit/" + name + " && ls /exploit/" + name + "'\n");
    assertThat(r.output()).containsExactly("/exploit/" + name);
    assertThat(Path.of("/", name)).doesNotExist();
    assertThat(r.flattened(b)).doesNotContainKeys(name, "exploit/" + name);
  }

  @Test
  void mount_invalidOption_B12_isRefusedBeforeAnythingRuns() {
    // jbuild words it as BuildKit does ("unexpected key"); buildah says "invalid mount option".
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN echo ran\n"
        + "RUN --mount=type=bind,target=/x,bind-propagation=suid true\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:3:33: unexpected key 'bind-propagation' in 'bind-propagation=suid'");
    assertThat(r.output()).isEmpty();
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=cache,target=/x,suid=true true\n"))
        .hasMessageStartingWith("Dockerfile:2:34: unexpected key 'suid' in 'suid=true'");
    assertThatThrownBy(() -> r.build("FROM busybox:test\nRUN --mount=type=tmpfs,target=/x,id=y true\n"))
        .hasMessageStartingWith("Dockerfile:2:34: unexpected key 'id' for mount type 'tmpfs'");
  }

  @Test
  void mountTarget_replacedBySymlinkToTheHost_B13_nothingOutsideTheRootfsChanges() throws Exception {
    Path victim = Files.createDirectories(tmp.resolve("victim/b/c"));
    Files.writeString(victim.resolve("keep"), "keep\n");
    Path victimRoot = tmp.resolve("victim");
    r.file("ctx.txt", "ctx\n");
    String swap = "sh -c 'mv /a /a.moved && ln -s " + victimRoot + " /a && ls -la /a >/dev/null; echo swapped'";
    for (String mount : List.of("type=tmpfs,target=/a/b/c", "type=cache,id=b13,target=/a/b/c",
        "type=bind,source=ctx.txt,target=/a/b/c/ctx.txt", "type=secret,id=s,target=/a/b/c/secret")) {
      BuildResult b = r.build("FROM busybox:test\nRUN --mount=" + mount + " " + swap + "\n",
          o -> o.secret("s", new BuildOptions.Secret(null, new byte[] {'x'})));
      assertThat(r.output()).as(mount).containsExactly("swapped");
      assertThat(r.lastLayer(b).get("a").link()).as(mount).isEqualTo(victimRoot.toString());
      try (Stream<Path> walk = Files.walk(victimRoot)) {
        assertThat(walk.map(p -> victimRoot.relativize(p).toString()).collect(Collectors.toList())).as(mount)
            .containsExactlyInAnyOrder("", "b", "b/c", "b/c/keep");
      }
      assertThat(Files.readString(victim.resolve("keep"))).isEqualTo("keep\n");
    }
  }

  @Test
  void workdir_procSelfFd_X01_containerDoesNotStart() throws Exception {
    Path marker = Files.writeString(tmp.resolve("x01-marker"), hostSecret);
    for (int fd = 3; fd <= 12; fd++) {
      String dockerfile = "FROM busybox:test\nWORKDIR /proc/self/fd/" + fd + "\n"
          + "RUN sh -c 'cat " + up() + marker.toString().substring(1) + "; pwd -P; ls " + up() + "'\n";
      // runc with the CVE-2024-21626 fix refuses a working directory it cannot make inside the container.
      assertThatThrownBy(() -> r.build(dockerfile, o -> o.tag("x01:1")))
          .isInstanceOf(BuildException.class)
          .hasMessageStartingWith("Dockerfile:3: ")
          .hasMessageContaining("/proc/self/fd/" + fd)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(hostSecret));
      assertThat(r.output()).as("fd " + fd).noneMatch(l -> l.contains(hostSecret) || l.equals("usr"));
    }
    assertThat(r.f.store.images().resolve("x01:1")).isEmpty();
  }

  @Test
  void context_hugeSparseFile_B08_isNotReadByACopyOfSomethingElse() throws Exception {
    Path big = r.f.context.resolve("big.img");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(8L << 30);
    }
    r.file("small.txt", "small\n");
    Instant old = Instant.parse("2001-01-01T00:00:00Z");
    Files.getFileAttributeView(big, BasicFileAttributeView.class).setTimes(FileTime.from(Instant.now()),
        FileTime.from(old), null);
    BuildResult b = r.build("FROM busybox:test\nCOPY small.txt /\nRUN --mount=type=bind,source=small.txt,target=/s "
        + "cat /s\n");
    assertThat(r.lastLayer(b).keySet()).containsExactly("small.txt");
    assertThat(r.output()).containsExactly("small");
    // relatime updates the access time of a file read since its last change: an untouched atime means unread.
    assertThat(Files.getAttribute(big, "lastAccessTime")).isEqualTo(FileTime.from(old));
  }

  @Test
  void bindMount_contextFileLargerThanTheHeap_B08_isHashedStreaming() throws Exception {
    long size = 512L << 20;
    Path big = r.f.context.resolve("big.img");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(size);
    }
    r.file("Dockerfile", "FROM busybox:test\nRUN --mount=type=bind,source=big.img,target=/big stat -c %s /big\n");
    // A JVM with a 32 MiB heap hashes the 512 MiB file for the step's cache key: only streaming can do that.
    r.f.store.close();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
        "-cp", System.getProperty("java.class.path"), BuildProbe.class.getName(), r.f.store.root().toString(),
        r.f.context.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines()).contains(String.valueOf(size));
  }
}
