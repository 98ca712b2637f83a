package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runtime escapes of group X (security/CASES.md) through {@code jbuild run}, with hostile images. */
class ContainerHostileIT {
  @TempDir Path tmp;
  private Cli cli;

  private void image(String name, BusyboxRootfs.Customizer customize, String... changes) throws Exception {
    cli = new Cli(tmp.resolve("store"));
    Path tar = BusyboxRootfs.tar(tmp.resolve("img-" + name.replace(':', '-')), customize);
    List<String> args = new java.util.ArrayList<>(List.of("import"));
    for (String c : changes) {
      args.addAll(List.of("-c", c));
    }
    args.addAll(List.of(tar.toString(), name));
    Cli.Result r = cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @AfterEach
  void nothingLeft() throws Exception {
    String root = tmp.toRealPath().toString();
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(root)))
        .as("mounts left under " + root).isEmpty();
  }

  private Path victim() throws Exception {
    return victim("victim");
  }

  private Path victim(String name) throws Exception {
    Path v = Files.createDirectories(tmp.resolve(name));
    Files.writeString(v.resolve("hello"), "victim's own");
    return v;
  }

  private static void assertUntouched(Path victim) throws Exception {
    try (Stream<Path> files = Files.list(victim)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("hello");
    }
    assertThat(victim.resolve("hello")).hasContent("victim's own");
  }

  @Test
  void x01_workdirInProcSelfFd_neverStartsOutsideTheRoot() throws Exception {
    image("x01:1", root -> { }, "WORKDIR /proc/self/fd/7", "CMD [\"ls\", \"..\"]");
    Cli.Result fromImage = cli.run("run", "--rm", "x01:1");
    assertThat(fromImage.exit()).as(fromImage.toString()).isNotZero();
    assertThat(fromImage.out()).doesNotContain("containers").doesNotContain("blobs");
    for (int fd = 3; fd <= 12; fd++) {
      Cli.Result r = cli.run("run", "--rm", "-w", "/proc/self/fd/" + fd, "x01:1", "sh", "-c", "ls ../../..; pwd");
      assertThat(r.exit()).as("fd " + fd + ": " + r).isEqualTo(125);
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void x04_passwdSymlinkedToAHostFile_isResolvedInsideTheRoot() throws Exception {
    Path secret = tmp.resolve("host-passwd");
    Files.writeString(secret, "mallory:x:4242:4242::/:/bin/sh\n");
    image("x04:1", root -> {
      Files.delete(root.resolve("etc/passwd"));
      Files.createSymbolicLink(root.resolve("etc/passwd"), secret);
    });
    Cli.Result r = cli.run("run", "--rm", "-u", "mallory", "x04:1", "id", "-u");
    assertThat(r.exit()).isEqualTo(125);
    assertThat(r.err()).contains("unable to find user mallory");
    assertThat(r.out()).doesNotContain("4242");
  }

  @Test
  void x06_volumeAndTmpfsTargetsSymlinkedToTheHost_stayInsideTheRoot() throws Exception {
    Path victim = victim();
    Path victim2 = victim("victim2");
    Path victim3 = victim("victim3");
    image("x06:1", root -> {
      Files.createSymbolicLink(root.resolve("vol"), victim);
      Files.createSymbolicLink(root.resolve("scratch"), victim2);
      Files.createSymbolicLink(root.resolve("mnt"), victim3);
    });
    Path host = Files.createDirectories(tmp.resolve("bind"));
    Cli.Result r = cli.run("run", "--rm", "-v", "vol2:/vol", "-v", host + ":/mnt", "--tmpfs", "/scratch",
        "x06:1", "sh", "-c", "echo pwn > /vol/f; echo pwn > /scratch/f; echo pwn > /mnt/f; echo done");
    assertUntouched(victim);
    assertUntouched(victim2);
    assertUntouched(victim3);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("done\n");
    assertThat(tmp.resolve("store/volumes/vol2/_data/f")).hasContent("pwn");
    assertThat(host.resolve("f")).hasContent("pwn");
    // The copy-up read the image's /vol in the root, not the host victim it points to.
    try (Stream<Path> vol = Files.list(tmp.resolve("store/volumes/vol2/_data"))) {
      assertThat(vol.map(p -> p.getFileName().toString())).doesNotContain("hello");
    }
  }

  @Test
  void x06_etcHostsSymlinkedToAHostFile_addHostNeverWritesIt() throws Exception {
    Path victim = victim();
    image("hosts:1", root -> Files.createSymbolicLink(root.resolve("etc/hosts"), victim.resolve("hello")));
    Cli.Result r = cli.run("run", "--rm", "--add-host", "evil:6.6.6.6", "hosts:1", "sh", "-c",
        "cat /etc/hosts; echo overwrite > /etc/hosts");
    assertUntouched(victim);
    assertThat(r.out()).contains("6.6.6.6\tevil");
  }
}
