package dev.jbuild.maven;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import dev.jbuild.store.StoredImages;
import dev.jbuild.store.archive.ArchiveFormat;
import dev.jbuild.store.archive.ArchiveWriter;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Saves the built image (all its names) as a docker-archive, which {@code docker load}, {@code podman load} and
 * {@code skopeo} read, and optionally attaches it to the project so {@code install} and {@code deploy} ship it.
 */
@Mojo(name = "save", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class SaveMojo extends AbstractJbuildMojo {
  /** The archive to write. */
  @Parameter(property = "jbuild.archive", defaultValue = "${project.build.directory}/${project.build.finalName}-image.tar")
  private File archive;

  /** Attach the archive to the project as an artifact of type {@code tar}. */
  @Parameter(property = "jbuild.attach", defaultValue = "false")
  private boolean attach;

  /** The classifier of the attached archive. */
  @Parameter(defaultValue = "image")
  private String classifier;

  /** Which manifest to save when an image is stored as an index (default: the host's platform). */
  @Parameter(property = "jbuild.platform")
  private String platform;

  @Component
  private MavenProjectHelper projectHelper;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("jbuild: skipped (jbuild.skip)");
      return;
    }
    Path target = archive.toPath().toAbsolutePath();
    try (Store store = Store.open(storeRoot())) {
      Platform wanted = platform == null || platform.isBlank() ? Platform.host() : Platform.parse(platform);
      List<ArchiveWriter.NamedImage> images = new ArrayList<>();
      for (String name : imageNames()) {
        ImageReference ref = reference(name);
        Descriptor d = store.images().resolve(ref.familiar()).orElseThrow(() -> new MojoFailureException(
            "no image " + ref.familiar() + " in the jbuild store " + store.root() + "; run jbuild:build first"));
        images.add(new ArchiveWriter.NamedImage(ref.familiar(),
            StoredImages.read(store.blobs(), d, wanted, ref.familiar())));
      }
      Files.createDirectories(target.getParent());
      // Written beside the target and renamed when complete: a failed save never leaves a truncated archive.
      Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20)) {
          ArchiveWriter.write(store.blobs(), images, ArchiveFormat.DOCKER_ARCHIVE, out);
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (StoreException e) {
      throw new MojoExecutionException("jbuild store " + storeRoot() + ": " + e.getMessage(), e);
    } catch (OciException e) {
      throw new MojoFailureException("cannot save the image: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write " + target + ": " + e.getMessage(), e);
    }
    getLog().info("jbuild: saved " + target);
    if (attach) {
      projectHelper.attachArtifact(project, "tar", classifier, target.toFile());
    }
  }
}
