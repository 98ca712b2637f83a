package dev.jbuild.maven;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.OciException;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.registry.transfer.ImageTransfer;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Pushes the built image under each of its names ({@code <tags>}) that names a registry ({@code localhost:5000/app:1},
 * {@code ghcr.io/team/app:1}, {@code docker.io/team/app:1}); names without one ({@code app:1}) are local names and are
 * not pushed, so a local tag never goes to Docker Hub by accident. Credentials
 * come from the settings.xml {@code <server>} whose id is that registry ({@code localhost:5000}, {@code ghcr.io};
 * passwords may be encrypted with {@code mvn --encrypt-password}), then from docker's config.json and credential
 * helpers. Loopback registries are reached over plain HTTP, every other one over HTTPS.
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends AbstractJbuildMojo {
  @Component
  private SettingsDecrypter decrypter;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("jbuild: skipped (jbuild.skip)");
      return;
    }
    if (session.isOffline()) {
      throw new MojoFailureException("cannot push while Maven is offline (-o)");
    }
    List<String> names = new ArrayList<>();
    for (String name : imageNames()) {
      if (namesRegistry(name)) {
        names.add(name);
      } else {
        getLog().debug("jbuild: not pushing " + name + ": the name has no registry");
      }
    }
    if (names.isEmpty()) {
      throw new MojoFailureException("none of the image names " + imageNames() + " names a registry; add a tag such"
          + " as registry.example.com/team/" + project.getArtifactId() + ":" + project.getVersion() + " to <tags>");
    }
    try (Store store = Store.open(storeRoot())) {
      for (String name : names) {
        ImageReference dest = reference(name);
        Descriptor local = store.images().resolve(dest.familiar()).orElseThrow(() -> new MojoFailureException(
            "no image " + dest.familiar() + " in the jbuild store " + store.root() + "; run jbuild:build first"));
        ImageTransfer transfer = new ImageTransfer(store, Registries.settings(
            ServerCredentials.of(session.getSettings().getServers(), decrypter, dest.registry(), null)),
            m -> getLog().debug(m));
        Digest pushed = transfer.push(local, dest);
        getLog().info("jbuild: pushed " + dest.familiar() + " " + pushed);
      }
    } catch (StoreException e) {
      throw new MojoExecutionException("jbuild store " + storeRoot() + ": " + e.getMessage(), e);
    } catch (RegistryException | IOException | OciException e) {
      throw new MojoFailureException("push failed: " + e.getMessage(), e);
    }
  }

  /** Whether the first path component is a registry host, by docker's rule: it has a dot or a port, or is localhost. */
  static boolean namesRegistry(String name) {
    int slash = name.indexOf('/');
    if (slash < 0) {
      return false;
    }
    String first = name.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost");
  }
}
