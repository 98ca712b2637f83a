package dev.jbuild.maven;

import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.InvalidReferenceException;
import dev.jbuild.store.Store;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** What every goal shares: the project, the image's names, the store, and {@code -Djbuild.skip}. */
abstract class AbstractJbuildMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  protected MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  protected MavenSession session;

  /**
   * The image's names, such as {@code registry.example.com/team/app:${project.version}}. Without any, the image is
   * named {@code ${project.artifactId}:${project.version}} (lower-cased). {@code push} pushes every name.
   */
  @Parameter(property = "jbuild.tags")
  protected List<String> tags = new ArrayList<>();

  /**
   * The jbuild store (the same one the jbuild command uses): {@code JBUILD_ROOT} when set, else
   * {@code /var/lib/jbuild} as root and {@code ~/.local/share/jbuild} otherwise.
   */
  @Parameter(property = "jbuild.root")
  protected File storeRoot;

  /** Skips the goal. */
  @Parameter(property = "jbuild.skip", defaultValue = "false")
  protected boolean skip;

  /** The names the image gets (validated), or the default name. */
  protected List<String> imageNames() throws MojoExecutionException {
    List<String> names = new ArrayList<>();
    for (String tag : tags) {
      if (tag != null && !tag.isBlank()) {
        names.add(tag.trim());
      }
    }
    if (names.isEmpty()) {
      names.add(project.getArtifactId().toLowerCase(Locale.ROOT) + ":" + project.getVersion());
    }
    for (String name : names) {
      reference(name);
    }
    return names;
  }

  protected static ImageReference reference(String name) throws MojoExecutionException {
    try {
      return ImageReference.parse(name);
    } catch (InvalidReferenceException e) {
      throw new MojoExecutionException("invalid image name in <tags>: " + e.getMessage(), e);
    }
  }

  protected Path storeRoot() {
    return storeRoot != null ? storeRoot.toPath().toAbsolutePath() : Store.defaultRoot();
  }
}
