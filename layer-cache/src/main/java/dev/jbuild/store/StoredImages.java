package dev.jbuild.store;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.ImageIndex;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.OciException;
import dev.jbuild.oci.OciJson;
import dev.jbuild.oci.Platform;

/**
 * Reads an image out of the local store, through an index when there is one, with the exact bytes of its
 * manifest and config so callers that show or push them never re-serialise.
 */
public final class StoredImages {
  private static final long MAX_JSON = 4L << 20;

  private StoredImages() {}

  /** An image as stored: its manifest descriptor, the manifest and config, and their raw bytes. */
  public record StoredImage(
      Descriptor manifestDescriptor, Manifest manifest, byte[] manifestBytes, ImageConfig config, byte[] configBytes) {
    public StoredImage {
      manifestBytes = manifestBytes.clone();
      configBytes = configBytes.clone();
    }

    @Override
    public byte[] manifestBytes() {
      return manifestBytes.clone();
    }

    @Override
    public byte[] configBytes() {
      return configBytes.clone();
    }
  }

  /** Reads {@code descriptor}; an index is resolved to the manifest for {@code platform}. */
  public static StoredImage read(BlobStore blobs, Descriptor descriptor, Platform platform, String name)
      throws StoreException, OciException {
    Descriptor target = descriptor;
    if (MediaType.isIndex(descriptor.mediaType())) {
      ImageIndex index = OciJson.readIndex(blobs.readAll(descriptor.digest(), MAX_JSON));
      target = platform.selectOrUnlabelled(index.manifests()).orElse(null);
      if (target == null) {
        throw new OciException("image " + name + " has no manifest for platform " + platform);
      }
    }
    byte[] manifestBytes = blobs.readAll(target.digest(), MAX_JSON);
    Manifest manifest = OciJson.readManifest(manifestBytes);
    byte[] configBytes = blobs.readAll(manifest.config().digest(), MAX_JSON);
    ImageConfig config = OciJson.readConfig(configBytes);
    if (config.diffIds().size() != manifest.layers().size()) {
      throw new OciException("image " + name + " is inconsistent: " + manifest.layers().size()
          + " layers but " + config.diffIds().size() + " diff_ids in its config");
    }
    return new StoredImage(target, manifest, manifestBytes, config, configBytes);
  }
}
