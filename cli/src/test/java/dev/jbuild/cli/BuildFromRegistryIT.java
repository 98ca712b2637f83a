package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.store.Store;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A build whose base image is only in a registry: FROM pulls it, and the result stacks on its layers. */
class BuildFromRegistryIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  @TempDir Path tmp;

  @Test
  void build_fromRegistryBase_pullsItAndBuildsOnTop() throws Exception {
    Path seed = tmp.resolve("seed");
    try (Store store = Store.open(seed)) {
      BaseImages.busybox(store, "busybox:1");
    }
    String base = registry.host() + "/busybox:1";
    BaseImages.pushWithSkopeo(seed, "busybox:1", base); // put there by a peer tool, not by jbuild

    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + base + "\nCOPY app.sh /usr/local/bin/\nCMD [\"app.sh\"]\n");
    Files.writeString(ctx.resolve("app.sh"), "#!/bin/sh\necho app\n");
    Path root = tmp.resolve("store");
    Cli cli = new Cli(root);
    Cli.Result build = cli.run("build", "-t", "app:1", ctx.toString());
    assertThat(build.exit()).as(build.toString()).isZero();
    assertThat(build.err()).contains("pulling " + base);

    try (Store store = Store.open(root)) {
      assertThat(store.images().resolve(base)).as("the base is tagged after the pull").isPresent();
      ImageValidator.validate(store.blobs(), store.images().resolve("app:1").orElseThrow());
    }
    // With --pull never nothing may be fetched; the base is found in the store now.
    Cli.Result again = cli.run("build", "--pull", "never", "-t", "app:2", ctx.toString());
    assertThat(again.exit()).as(again.toString()).isZero();
  }

  @Test
  void build_fromMissingImage_namesTheLineAndReference() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx2"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + registry.host() + "/nothing:here\n");
    Cli.Result build = new Cli(tmp.resolve("s2")).run("build", ctx.toString());
    assertThat(build.exit()).isNotZero();
    assertThat(build.err()).contains("Dockerfile:1").contains("nothing");
  }
}
