package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerStoreTest {
  @TempDir Path tmp;
  private Store store;
  private ContainerStore containers;
  private final Descriptor image = new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256Of(new byte[] {1}), 1);
  private final RunOptions options = new RunOptions(List.of("sh"), List.of("A=1"), "/", "", "h", true,
      List.of(Mount.bind("/src", "/dst", true)), false, false, false, null, false, List.of());

  @BeforeEach
  void open() throws Exception {
    store = Store.open(tmp.resolve("store"));
    containers = ContainerStore.of(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void create_thenRead_roundTripsTheRecord() throws Exception {
    ContainerRecord c = containers.create("web", "busybox:1", image, options);
    assertThat(c.id()).matches("[0-9a-f]{64}");
    ContainerRecord read = containers.read(c.id()).orElseThrow();
    assertThat(read).isEqualTo(c);
    assertThat(read.options().stopSignal()).isEqualTo("SIGTERM");
    assertThat(read.imageDescriptor()).isEqualTo(image);
  }

  @Test
  void create_takenName_fails() throws Exception {
    containers.create("web", "busybox:1", image, options);
    assertThatThrownBy(() -> containers.create("web", "busybox:1", image, options))
        .isInstanceOf(ContainerException.class).hasMessageContaining("\"web\" is already in use");
  }

  @Test
  void create_badName_fails() {
    assertThatThrownBy(() -> containers.create("../x", "busybox:1", image, options))
        .hasMessageContaining("invalid container name");
  }

  @Test
  void find_byNameIdAndUniquePrefix() throws Exception {
    ContainerRecord a = containers.create("a", "i", image, options);
    containers.create("b", "i", image, options);
    assertThat(containers.find("a")).isEqualTo(a);
    assertThat(containers.find(a.id())).isEqualTo(a);
    assertThat(containers.find(a.id().substring(0, 12))).isEqualTo(a);
    assertThatThrownBy(() -> containers.find("zzz")).hasMessageContaining("no such container: zzz");
  }

  @Test
  void list_ignoresRunStepDirsWithoutARecord() throws Exception {
    Files.createDirectories(tmp.resolve("store/containers/0123456789abcdef0123456789abcdef/upper"));
    ContainerRecord a = containers.create(null, "i", image, options);
    assertThat(containers.list()).containsExactly(a);
    assertThat(a.name()).isEqualTo("jbuild_" + a.shortId());
  }

  @Test
  void read_runningWithDeadMonitor_becomesExitedWithTheMonitorsCode() throws Exception {
    ContainerRecord c = containers.create("x", "i", image, options);
    // A pid that cannot exist with this start time: the monitor is gone.
    containers.save(c.withState(c.state().running(Integer.MAX_VALUE, 1, "2024-01-01T00:00:00Z")));
    Files.writeString(containers.dir(c.id()).resolve("exit"), "3\n");
    ContainerRecord read = containers.read(c.id()).orElseThrow();
    assertThat(read.state().status()).isEqualTo(ContainerRecord.Status.EXITED);
    assertThat(read.state().exitCode()).isEqualTo(3);
  }

  @Test
  void imageUsers_listsTheImagesOfAllContainers() throws Exception {
    containers.create("x", "i", image, options);
    assertThat(containers.imageUsers().manifestsInUse()).containsExactly(image.digest());
  }

  @Test
  void delete_removesTheDir() throws Exception {
    ContainerRecord c = containers.create("x", "i", image, options);
    containers.delete(c.id());
    assertThat(containers.list()).isEmpty();
    assertThat(containers.dir(c.id())).doesNotExist();
  }
}
