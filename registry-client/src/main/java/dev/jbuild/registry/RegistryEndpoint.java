package dev.jbuild.registry;

import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpHeaders;
import java.io.IOException;
import java.util.List;

/**
 * One registry endpoint, run by {@link RegistryCaller}: what to send and how to read the answer. Mirrors
 * jib-core's {@code RegistryEndpointProvider}; implementations hold no connection state.
 */
interface RegistryEndpoint<T> {
  String method();

  /** The absolute, already-encoded URL of the first request. */
  String url(RegistryTarget target);

  /** Adds endpoint headers ({@code Accept}, {@code Range}, {@code Content-Type}); called for every attempt. */
  default void headers(HttpHeaders headers) {}

  /** A fresh body for each attempt (so retries and auth re-sends replay it), or null. */
  default HttpContent content() throws IOException {
    return null;
  }

  /** Token scopes, e.g. {@code repository:hello:pull}. */
  List<String> scopes(RegistryTarget target);

  /** Whether {@link #handle} reads this status; any other status is an error. */
  boolean accepts(int status);

  T handle(RegistryResponse response) throws IOException, RegistryException;

  /** What is being done, for messages: {@code pulling manifest latest}. */
  String action();

  /** Whether the caller may repeat the request on 5xx/429/resets; false for upload steps that must restart. */
  default boolean retryable() {
    return true;
  }

  /** The specific exception for a 404, or null for the generic one. */
  default RegistryException notFound(RegistryTarget target, String message, List<String> codes) {
    return null;
  }

  static String pullScope(String repository) {
    return "repository:" + repository + ":pull";
  }

  static String pushScope(String repository) {
    return "repository:" + repository + ":pull,push";
  }
}
