package dev.jbuild.registry;

import java.net.URI;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code GET <location>}: how many bytes an upload session holds (204 + {@code Range: 0-<end>}). */
final class UploadStatusChecker implements RegistryEndpoint<UploadPatcher.Result> {
  private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-(\\d{1,18})");

  private final RegistryCaller caller;
  private final URI location;

  UploadStatusChecker(RegistryCaller caller, URI location) {
    this.caller = caller;
    this.location = location;
  }

  /** The end offset of a {@code Range: 0-N} header, or -1 when absent or malformed. */
  static long rangeEnd(String range) {
    if (range == null) {
      return -1;
    }
    Matcher m = RANGE.matcher(range.trim());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String url(RegistryTarget t) {
    return location.toString();
  }

  @Override
  public List<String> scopes(RegistryTarget t) {
    return List.of(RegistryEndpoint.pushScope(t.repository()));
  }

  @Override
  public boolean accepts(int status) {
    return status == 204;
  }

  @Override
  public UploadPatcher.Result handle(RegistryResponse response) throws RegistryException {
    String next = response.header("Location");
    URI nextLocation = next == null ? location : caller.resolve(response.url(), next);
    return new UploadPatcher.Result(nextLocation, rangeEnd(response.header("Range")) + 1, false);
  }

  @Override
  public String action() {
    return "checking an upload's progress";
  }
}
