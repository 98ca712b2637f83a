package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.MediaType;
import dev.jbuild.testing.registry.RegistryExtension;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chunked (PATCH) uploads against the real registry. NetHttpTransport cannot send PATCH, so this injects a
 * PATCH-capable transport; the default transport streams one monolithic PUT instead.
 */
class ChunkedUploadIT {
  @RegisterExtension static RegistryExtension registry = RegistryExtension.anonymous();

  @Test
  void pushBlob_largerThanChunkSizeOnPatchCapableTransport_uploadsInChunksAndPullsBackIdentical() throws Exception {
    byte[] blob = TestImages.randomBytes(3 * 1024 * 1024 + 5, 11);
    Descriptor descriptor = TestImages.descriptor(MediaType.OCI_LAYER_GZIP, blob);
    List<RegistryEvent> events = new ArrayList<>();
    JdkHttpTransport transport = new JdkHttpTransport();
    RegistryClientSettings settings = RegistryClientSettings.defaults()
        .withTransport(transport).withChunkSize(1024 * 1024).withEvents(events::add);
    try (RegistryClient client = RegistryClient.create(settings, registry.host(), "chunked")) {
      assertThat(client.pushBlob(descriptor, TestImages.content(blob), null)).isTrue();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      client.pullBlob(descriptor, out);
      assertThat(out.toByteArray()).isEqualTo(blob);
    } finally {
      transport.shutdown();
    }
    assertThat(transport.methods).filteredOn("PATCH"::equals).hasSize(4);
    assertThat(events).filteredOn(e -> e instanceof RegistryEvent.BlobProgress p
            && p.direction() == RegistryEvent.Direction.PUSH && p.transferred() == blob.length)
        .isNotEmpty();
  }
}
