package dev.jbuild.cli;

import static dev.jbuild.cli.DockerArchiveIT.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ImageValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo reads and writes docker-archive and oci-archive files both ways with jbuild; podman loads jbuild's. */
class ArchiveInteropIT {
  private static final Path HELLO_TXT = Processes.repoRoot().resolve("samples/hello/hello.txt");

  @TempDir Path tmp;
  Cli cli;
  Path root;

  @BeforeEach
  void store() throws Exception {
    cli = DockerArchiveIT.helloStore(tmp);
    root = tmp.resolve("store");
  }

  private static Processes.Output run(String... cmd) throws Exception {
    return Processes.run(List.of(cmd), Map.of(), null);
  }

  private Digest configOf(Path storeRoot, String name) throws Exception {
    try (Store store = Store.open(storeRoot)) {
      Descriptor d = store.images().resolve(name).orElseThrow();
      ImageValidator.validate(store.blobs(), d);
      return OciJson.readManifest(store.blobs().readAll(d.digest(), 1 << 20)).config().digest();
    }
  }

  @Test
  void skopeo_readsJbuildDockerArchiveAndOciArchive() throws Exception {
    Path docker = tmp.resolve("d.tar");
    Path oci = tmp.resolve("o.tar");
    ok(cli, "save", "-o", docker.toString(), "hello:1", "busybox:1");
    ok(cli, "save", "--format", "oci-archive", "-o", oci.toString(), "hello:1", "busybox:1");

    ok(run("skopeo", "copy", "--quiet", "docker-archive:" + docker + ":hello:1", "oci:" + tmp.resolve("l1") + ":x"));
    ok(run("skopeo", "copy", "--quiet", "oci-archive:" + oci + ":hello:1", "oci:" + tmp.resolve("l2") + ":y"));
    // Both land as OCI layouts jbuild's validator accepts, with the config jbuild wrote, byte for byte.
    Digest ours = configOf(root, "hello:1");
    for (Path layout : List.of(tmp.resolve("l1"), tmp.resolve("l2"))) {
      String raw = ok(run("skopeo", "inspect", "--raw", "oci:" + layout)).out();
      Manifest m = OciJson.readManifest(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(m.config().digest()).as(layout.toString()).isEqualTo(ours);
    }
  }

  @Test
  void jbuild_loadsSkopeosDockerArchiveAndOciArchive() throws Exception {
    Path docker = tmp.resolve("skopeo-docker.tar");
    Path oci = tmp.resolve("skopeo-oci.tar");
    ok(run("skopeo", "copy", "--quiet", "oci:" + root + ":hello:1", "docker-archive:" + docker + ":hello:2"));
    ok(run("skopeo", "copy", "--quiet", "oci:" + root + ":hello:1", "oci-archive:" + oci + ":hello:3"));

    Path fresh = tmp.resolve("fresh");
    Cli loader = new Cli(fresh);
    assertThat(ok(loader, "load", "-i", docker.toString()).out()).contains("Loaded image: hello:2 sha256:");
    assertThat(ok(loader, "load", "-i", oci.toString()).out()).contains("Loaded image: hello:3 sha256:");
    Digest ours = configOf(root, "hello:1");
    assertThat(configOf(fresh, "hello:2")).isEqualTo(ours);
    assertThat(configOf(fresh, "hello:3")).isEqualTo(ours);
    Path flat = tmp.resolve("flat.tar");
    ok(loader, "export", "hello:2", "-o", flat.toString());
    assertThat(TarListing.content(flat, "hello.txt")).isEqualTo(Files.readString(HELLO_TXT));
  }

  @Test
  void podman_loadsJbuildSaveAndRunsIt() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/podman")), "podman is not installed");
    Path archive = tmp.resolve("hello.tar");
    ok(cli, "save", "-o", archive.toString(), "hello:1");
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "jbuild-podman-");
    try {
      List<String> podman = List.of("podman", "--root", dir.resolve("root").toString(), "--runroot",
          dir.resolve("run").toString(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
          "--events-backend", "file", "--runtime", "runc");
      Processes.Output load = ok(Processes.run(concat(podman, "load", "-i", archive.toString()), Map.of(), null));
      assertThat(load.out()).contains("hello:1");
      // Podman's default rlimits (nofile, nproc) exceed this sandbox's hard limits; the image does not care.
      Processes.Output out = ok(Processes.run(concat(podman, "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "hello:1"),
          Map.of(), null));
      assertThat(out.out()).isEqualTo(Files.readString(HELLO_TXT));
    } finally {
      Processes.run(List.of("sh", "-c", "grep -o ' " + dir + "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l"),
          Map.of(), null);
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return out;
  }
}
