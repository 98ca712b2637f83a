package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One page of {@code GET /v2/<name>/tags/list} or {@code GET /v2/_catalog}, with the {@code Link: <...>;
 * rel="next"} of the next page (distribution spec pagination).
 */
final class ListPageFetcher implements RegistryEndpoint<ListPageFetcher.Page> {
  static final long MAX_PAGE = 8L * 1024 * 1024;
  private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?");

  private final String url;
  private final String field;
  private final String scope;
  private final String action;

  /** The items and the raw {@code Link} target of the next page, or null. */
  record Page(List<String> items, String next) {}

  private ListPageFetcher(String url, String field, String scope, String action) {
    this.url = url;
    this.field = field;
    this.scope = scope;
    this.action = action;
  }

  static ListPageFetcher tags(RegistryTarget target, String url) {
    return new ListPageFetcher(
        url != null ? url : target.baseUrl() + "/v2/" + target.repository() + "/tags/list",
        "tags", RegistryEndpoint.pullScope(target.repository()), "listing tags");
  }

  static ListPageFetcher catalog(RegistryTarget target, String url) {
    return new ListPageFetcher(
        url != null ? url : target.baseUrl() + "/v2/_catalog", "repositories", "registry:catalog:*",
        "listing repositories");
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String url(RegistryTarget target) {
    return url;
  }

  @Override
  public List<String> scopes(RegistryTarget target) {
    return List.of(scope);
  }

  @Override
  public boolean accepts(int status) {
    return status == 200;
  }

  @Override
  public Page handle(RegistryResponse response) throws IOException {
    byte[] body = response.readCapped(MAX_PAGE, action);
    JsonNode items = OciJson.mapper().readTree(body).path(field);
    List<String> result = new ArrayList<>();
    for (JsonNode item : items) {
      if (item.isTextual()) {
        result.add(item.asText());
      }
    }
    String next = null;
    for (String link : response.headers("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        next = m.group(1);
      }
    }
    return new Page(result, next);
  }

  @Override
  public String action() {
    return action;
  }
}
