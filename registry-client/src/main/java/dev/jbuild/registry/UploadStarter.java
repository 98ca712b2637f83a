package dev.jbuild.registry;

import dev.jbuild.oci.Digest;
import java.net.URI;
import java.util.List;

/**
 * {@code POST /v2/<name>/blobs/uploads/}, optionally with {@code ?mount=<digest>&from=<repo>}: either the blob
 * is mounted (201) or an upload session starts (202) at a {@code Location} checked by the redirect policy
 * (R14: a relative location resolves against the request; another host must pass the SSRF check and never
 * gets credentials).
 */
final class UploadStarter implements RegistryEndpoint<UploadStarter.Result> {
  private final RegistryCaller caller;
  private final Digest mountDigest;
  private final String mountFrom;

  /** {@code location} is null when mounted; {@code minChunk} from {@code OCI-Chunk-Min-Length}, else 0. */
  record Result(boolean mounted, URI location, long minChunk) {}

  UploadStarter(RegistryCaller caller, Digest mountDigest, String mountFrom) {
    this.caller = caller;
    this.mountDigest = mountDigest;
    this.mountFrom = mountFrom;
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String url(RegistryTarget t) {
    String url = t.baseUrl() + "/v2/" + t.repository() + "/blobs/uploads/";
    return mountFrom == null ? url : url + "?mount=" + mountDigest + "&from=" + mountFrom;
  }

  @Override
  public com.google.api.client.http.HttpContent content() {
    return new com.google.api.client.http.ByteArrayContent(null, new byte[0]);
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return mountFrom == null
        ? List.of(RegistryEndpoint.pushScope(t.repository()))
        : List.of(RegistryEndpoint.pushScope(t.repository()), RegistryEndpoint.pullScope(mountFrom));
  }

  @Override
  public boolean accepts(int status) {
    return status == 201 || status == 202;
  }

  @Override
  public Result handle(RegistryResponse response) throws RegistryException {
    if (response.status() == 201 && mountFrom != null) {
      return new Result(true, null, 0);
    }
    String location = response.header("Location");
    if (location == null || response.status() == 201) {
      throw caller.errors().protocol("upload session started without a Location header", null);
    }
    long minChunk = 0;
    String min = response.header("OCI-Chunk-Min-Length");
    if (min != null && min.trim().matches("\\d{1,15}")) {
      minChunk = Long.parseLong(min.trim());
    }
    return new Result(false, caller.resolve(response.url(), location), minChunk);
  }

  @Override
  public String action() {
    return mountFrom == null ? "starting an upload" : "mounting blob " + mountDigest + " from " + mountFrom;
  }
}
