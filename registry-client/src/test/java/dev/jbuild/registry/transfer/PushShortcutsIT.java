package dev.jbuild.registry.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.ImageReference;
import dev.jbuild.oci.Platform;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryClientSettings;
import dev.jbuild.registry.RegistryEvent;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.registry.RegistryExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a push can skip on a real docker-registry: everything when the tag already names the manifest, and every
 * upload when the blobs are in another repository of the same registry (cross-repository mount).
 */
class PushShortcutsIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.withTokenAuth("mia", "mount-pass");

  @TempDir Path temp;

  private final List<RegistryEvent> events = new CopyOnWriteArrayList<>();

  private RegistryClientSettings settings() {
    return RegistryClientSettings.defaults().withEvents(events::add)
        .withCredentials(dev.jbuild.registry.CredentialSource.of(registry.host(), "mia", "mount-pass"));
  }

  private ImageReference ref(String path) throws Exception {
    return ImageReference.parse(registry.host() + "/" + path);
  }

  private List<RegistryEvent> uploads() {
    return events.stream().filter(e -> e instanceof RegistryEvent.BlobProgress p
        && p.direction() == RegistryEvent.Direction.PUSH).toList();
  }

  private List<String> skipReasons() {
    return events.stream().filter(e -> e instanceof RegistryEvent.BlobSkipped)
        .map(e -> ((RegistryEvent.BlobSkipped) e).reason()).toList();
  }

  @Test
  void push_toASecondRepositoryOfTheSameRegistry_mountsEveryBlobInsteadOfUploading() throws Exception {
    Digest pushed;
    try (Store store = Store.open(temp.resolve("store"))) {
      Descriptor local = SyntheticImages.write(store, "app:1", Platform.host(), 2, 200_000, 21, temp);
      ImageTransfer transfer = new ImageTransfer(store, settings(), null);
      Digest first = transfer.push(local, ref("mount/a:1"));
      events.clear();
      pushed = transfer.push(local, ref("mount/b:1"));
      assertThat(pushed).isEqualTo(first);
    }
    assertThat(uploads()).isEmpty();
    assertThat(skipReasons()).hasSize(3).allMatch(r -> r.equals("mounted from mount/a"));
    try (Store check = Store.open(temp.resolve("check"))) {
      ImageTransfer.PullResult pulled = new ImageTransfer(check, settings(), null).pull(ref("mount/b:1"), Platform.host());
      assertThat(pulled.stored().digest()).isEqualTo(pushed);
      ImageValidator.validate(check.blobs(), pulled.stored());
    }
  }

  @Test
  void push_ofAPulledImageToAnotherRepository_mountsFromTheRepositoryItCameFrom() throws Exception {
    try (Store source = Store.open(temp.resolve("source"))) {
      Descriptor local = SyntheticImages.write(source, "app:1", Platform.host(), 3, 100_000, 22, temp);
      new ImageTransfer(source, settings(), null).push(local, ref("mount/origin:1"));
    }
    try (Store store = Store.open(temp.resolve("store"))) {
      ImageTransfer transfer = new ImageTransfer(store, settings(), null);
      ImageTransfer.PullResult pulled = transfer.pull(ref("mount/origin:1"), Platform.host());
      events.clear();
      transfer.push(pulled.stored(), ref("mount/copy:1"));
    }
    assertThat(uploads()).isEmpty();
    assertThat(skipReasons()).hasSize(4).allMatch(r -> r.equals("mounted from mount/origin"));
  }

  @Test
  void push_sameImageToTheSameTagAgain_checksOnlyTheManifest() throws Exception {
    try (Store store = Store.open(temp.resolve("store"))) {
      Descriptor local = SyntheticImages.write(store, "app:1", Platform.host(), 2, 100_000, 23, temp);
      Descriptor other = SyntheticImages.write(store, "other:1", Platform.host(), 1, 50_000, 24, temp);
      ImageTransfer transfer = new ImageTransfer(store, settings(), null);
      Digest first = transfer.push(local, ref("noop/app:1"));
      events.clear();
      assertThat(transfer.push(local, ref("noop/app:1"))).isEqualTo(first);
      // Not even a blob HEAD: each would have been reported as skipped.
      assertThat(events).noneMatch(e -> e instanceof RegistryEvent.BlobSkipped || e instanceof RegistryEvent.BlobProgress);

      // When the tag names another image, the push goes ahead and moves it back.
      Digest moved = transfer.push(other, ref("noop/app:1"));
      assertThat(moved).isNotEqualTo(first);
      assertThat(transfer.push(local, ref("noop/app:1"))).isEqualTo(first);
      try (RegistryClient client = RegistryClient.create(settings(), registry.host(), "noop/app")) {
        assertThat(client.pullManifest("1").digest()).isEqualTo(first);
      }
    }
  }
}
