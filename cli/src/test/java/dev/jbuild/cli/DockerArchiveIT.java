package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciJson;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interop with a real dockerd: docker loads and runs what jbuild saves, jbuild loads what docker saves. */
class DockerArchiveIT {
  private static final Path HELLO_TXT = Processes.repoRoot().resolve("samples/hello/hello.txt");
  static Dockerd docker;

  @TempDir Path tmp;

  @BeforeAll
  static void startDocker() throws Exception {
    docker = Dockerd.start();
  }

  @AfterAll
  static void stopDocker() throws Exception {
    if (docker != null) {
      docker.close();
    }
  }

  static Cli.Result ok(Cli cli, String... args) {
    Cli.Result r = cli.run(args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return r;
  }

  static Processes.Output ok(Processes.Output o) {
    assertThat(o.exit()).as(o.toString()).isZero();
    return o;
  }

  /** A store holding busybox:1 and hello:1 (FROM busybox, COPY hello.txt, CMD cat it), built by jbuild. */
  static Cli helloStore(Path tmp) throws Exception {
    Path root = tmp.resolve("store");
    try (Store store = Store.open(root)) {
      BaseImages.busybox(store, "busybox:1");
    }
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.copy(HELLO_TXT, ctx.resolve("hello.txt"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:1\nCOPY hello.txt /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n");
    Cli cli = new Cli(root);
    ok(cli, "build", "-t", "hello:1", ctx.toString());
    return cli;
  }

  @Test
  void dockerLoad_acceptsJbuildSave_andRunsTheImage() throws Exception {
    Cli cli = helloStore(tmp);
    Path archive = tmp.resolve("hello.tar");
    ok(cli, "save", "-o", archive.toString(), "hello:1", "busybox:1");

    Processes.Output load = ok(docker.docker("load", "-i", archive.toString()));
    assertThat(load.out()).contains("Loaded image: hello:1").contains("Loaded image: busybox:1");
    Processes.Output run = ok(docker.docker("run", "--rm", "--network", "none", "hello:1"));
    assertThat(run.out()).isEqualTo(Files.readString(HELLO_TXT));

    // docker export of a container made from the image matches jbuild export, names and contents.
    String id = ok(docker.docker("create", "hello:1")).out().strip();
    Path theirs = tmp.resolve("docker-export.tar");
    ok(docker.docker("export", "-o", theirs.toString(), id));
    Path ours = tmp.resolve("jbuild-export.tar");
    ok(cli, "export", "hello:1", "-o", ours.toString());
    assertThat(TarListing.names(ours)).containsExactlyInAnyOrderElementsOf(TarListing.names(theirs));
    assertThat(TarListing.content(ours, "hello.txt")).isEqualTo(TarListing.content(theirs, "hello.txt"));
  }

  @Test
  void jbuildLoad_readsDockerSaveOfAnImageDockerBuilt() throws Exception {
    Cli cli = helloStore(tmp);
    Path rootfs = tmp.resolve("rootfs.tar");
    ok(cli, "export", "--rootfs-only", "busybox:1", "-o", rootfs.toString());
    ok(docker.docker("import", rootfs.toString(), "bbase:1"));
    Path ctx = Files.createDirectories(tmp.resolve("dctx"));
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM bbase:1\nRUN [\"/bin/sh\", \"-c\", \"echo built by docker > /built.txt\"]\nCMD [\"cat\", \"/built.txt\"]\n");
    ok(docker.docker("build", "--network", "none", "-t", "dbuilt:1", ctx.toString()));
    Path saved = tmp.resolve("docker-save.tar");
    ok(docker.docker("save", "-o", saved.toString(), "dbuilt:1", "bbase:1"));
    Path gz = tmp.resolve("docker-save.tar.gz");
    ok(Processes.run(List.of("sh", "-c", "gzip -c " + saved + " > " + gz), Map.of(), null));

    Path fresh = tmp.resolve("fresh");
    Cli loader = new Cli(fresh);
    Cli.Result load = ok(loader, "load", "-i", gz.toString());
    assertThat(load.out()).contains("Loaded image: dbuilt:1 sha256:").contains("Loaded image: bbase:1 sha256:");
    try (Store store = Store.open(fresh)) {
      Descriptor built = store.images().resolve("dbuilt:1").orElseThrow();
      ImageValidator.validate(store.blobs(), built);
      Manifest m = OciJson.readManifest(store.blobs().readAll(built.digest(), 1 << 20));
      assertThat(m.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
      assertThat(m.layers()).hasSize(2);
      // The config is stored byte for byte: its digest is docker's image ID.
      String imageId = ok(docker.docker("image", "inspect", "-f", "{{.Id}}", "dbuilt:1")).out().strip();
      assertThat(m.config().digest().toString()).isEqualTo(imageId);
    }
    Path flat = tmp.resolve("flat.tar");
    ok(loader, "export", "--rootfs-only", "dbuilt:1", "-o", flat.toString());
    assertThat(TarListing.content(flat, "built.txt")).isEqualTo("built by docker\n");

    // And back: jbuild saves what it loaded, docker loads it into a clean daemon state and runs it.
    ok(docker.docker("rmi", "dbuilt:1"));
    Path again = tmp.resolve("again.tar");
    ok(loader, "save", "-o", again.toString(), "dbuilt:1");
    ok(docker.docker("load", "-i", again.toString()));
    assertThat(ok(docker.docker("run", "--rm", "--network", "none", "dbuilt:1")).out()).isEqualTo("built by docker\n");
  }
}
