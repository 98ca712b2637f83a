package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADD of a git repository, served by a real {@code git daemon} on loopback. */
class GitAddTest {
  @TempDir Path tmp;
  private BuildFixture f;
  private Process daemon;
  private int port;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")), "git is not installed");
    f = new BuildFixture(tmp);
    Path work = Files.createDirectories(tmp.resolve("work"));
    git(work, "init", "-q", "-b", "main");
    Files.createDirectories(work.resolve("sub"));
    Files.writeString(work.resolve("sub/a.txt"), "from git\n");
    Files.writeString(work.resolve("top.txt"), "top\n");
    Files.createSymbolicLink(work.resolve("proj"), Path.of("/"));
    git(work, "add", "-A");
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one");
    git(work, "tag", "v1");
    Path served = Files.createDirectories(tmp.resolve("served"));
    git(tmp, "clone", "-q", "--bare", work.toString(), served.resolve("repo.git").toString());
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    daemon = new ProcessBuilder("/usr/bin/git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
        "--port=" + port, "--base-path=" + served, served.toString()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("daemon.log").toFile()).start();
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("git daemon did not start: " + Files.readString(tmp.resolve("daemon.log")));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.destroy();
      daemon.waitFor(10, TimeUnit.SECONDS);
    }
    if (f != null) {
      f.close();
    }
  }

  /** {@code --build-context src=git://...#ref:subdir}: the repository (that directory of it) as a named context. */
  @Test
  void namedContext_gitRepository_isCheckedOutAndReadLikeADirectory() throws Exception {
    BuildResult r = f.build("FROM scratch\nCOPY --from=src a.txt /x/\n", BuildListener.NONE,
        o -> o.buildContext("src", "git://127.0.0.1:" + port + "/repo.git#main:sub"));
    Map<String, BuildFixture.Entry> layer = f.lastLayer(r);
    assertThat(layer.get("x/a.txt").content()).isEqualTo("from git\n");
    assertThatThrownBy(() -> f.build("FROM scratch\nCOPY --from=src a.txt /x/\n", BuildListener.NONE,
        o -> o.buildContext("src", "git://127.0.0.1:" + port + "/repo.git#main:nothere")))
        .isInstanceOf(BuildException.class).hasMessageContaining("--build-context src=git://127.0.0.1:")
        .hasMessageContaining("subdirectory \"nothere\" not found");
  }

  @Test
  void addGit_refAndSubdir_copiesThatDirectoryWithoutDotGit() throws Exception {
    BuildResult r = f.build("FROM scratch\nADD git://127.0.0.1:" + port + "/repo.git#main:sub /src/\n"
        + "ADD git://127.0.0.1:" + port + "/repo.git#v1 /all/\n");
    List<dev.jbuild.oci.Descriptor> layers = f.manifest(r).layers();
    Map<String, BuildFixture.Entry> sub = f.layer(layers.get(0));
    assertThat(sub.keySet()).containsExactly("src/", "src/a.txt");
    assertThat(sub.get("src/a.txt").content()).isEqualTo("from git\n");
    Map<String, BuildFixture.Entry> all = f.layer(layers.get(1));
    assertThat(all.keySet()).contains("all/top.txt", "all/proj").noneMatch(k -> k.startsWith("all/.git"));
    assertThat(all.get("all/proj").link()).isEqualTo("/");
  }

  @Test
  void addGit_keepGitDir_keepsIt() throws Exception {
    BuildResult r = f.build("FROM scratch\nADD --keep-git-dir=true git://127.0.0.1:" + port + "/repo.git /r/\n");
    assertThat(f.lastLayer(r)).containsKey("r/.git/HEAD");
  }

  @Test
  void addGit_subdirThroughALinkToTheHostRoot_isNotReadFromTheHost() throws Exception {
    // B14: proj -> /, subdir proj/etc: resolved inside the checkout, where there is no etc.
    assertThatThrownBy(() -> f.build("FROM scratch\nADD git://127.0.0.1:" + port + "/repo.git#main:proj/etc /x/\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("not found");
  }

  @Test
  void addGit_unknownRef_failsNamingTheRepository() {
    assertThatThrownBy(() -> f.build("FROM scratch\nADD git://127.0.0.1:" + port + "/repo.git#nosuch /x/\n"))
        .isInstanceOf(BuildException.class).hasMessageContaining("repo.git");
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
  }
}
