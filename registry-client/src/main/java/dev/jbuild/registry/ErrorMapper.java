package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.OciJson;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/** Turns failed responses and transport errors into {@link RegistryException}s with clear, secret-free messages. */
final class ErrorMapper {
  /** Error bodies feed a message only; a hostile server must not make us buffer more (M06). */
  static final int MAX_ERROR_BODY = 64 * 1024;

  private final RegistryTarget target;

  ErrorMapper(RegistryTarget target) {
    this.target = target;
  }

  /** The parts of an error response worth keeping: OCI {@code errors[].code} and the first message. */
  record ErrorInfo(int status, List<String> codes, String message) {
    static ErrorInfo read(RegistryResponse response) {
      byte[] body = response.readTruncated(MAX_ERROR_BODY);
      List<String> codes = new ArrayList<>();
      String message = null;
      try {
        JsonNode errors = OciJson.mapper().readTree(body).path("errors");
        for (JsonNode error : errors) {
          if (error.path("code").isTextual()) {
            codes.add(error.path("code").asText());
          }
          if (message == null && error.path("message").isTextual() && !error.path("message").asText().isBlank()) {
            message = error.path("message").asText();
          }
        }
      } catch (IOException | RuntimeException e) {
        // Not OCI error JSON (HTML from a proxy, truncated body): keep a short plain-text hint instead.
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
        if (!text.isEmpty() && !text.startsWith("<")) {
          message = text;
        }
      }
      return new ErrorInfo(response.status(), List.copyOf(codes), Redact.text(message));
    }
  }

  RegistryException fromResponse(RegistryEndpoint<?> endpoint, ErrorInfo error, int attempts) {
    int status = error.status();
    String codes = error.codes().isEmpty() ? reason(status) : String.join(",", error.codes());
    String detail = error.message() != null ? error.message() : defaultDetail(status);
    String message =
        "registry " + target.registry() + " returned " + status + " " + codes + " for " + target.repository() + ": "
            + detail + " (" + endpoint.action() + (attempts > 1 ? ", after " + attempts + " attempts" : "") + ")";
    if (status == 401 || status == 403) {
      return new RegistryAuthenticationException(message, target.registry(), target.repository(), status, error.codes(), null);
    }
    if (status == 404) {
      RegistryException specific = endpoint.notFound(target, message, error.codes());
      if (specific != null) {
        return specific;
      }
    }
    if (status < 400) {
      return new RegistryProtocolException(
          "registry " + target.registry() + " gave an unexpected " + status + " response for " + target.repository()
              + " (" + endpoint.action() + ")",
          target.registry(), target.repository(), status, error.codes(), null);
    }
    return new RegistryException(message, target.registry(), target.repository(), status, error.codes(), null);
  }

  /** A 401 we could not answer: no credentials, or the ones we sent were refused. */
  RegistryAuthenticationException unauthorized(RegistryEndpoint<?> endpoint, ErrorInfo error, String why) {
    String codes = error.codes().isEmpty() ? "UNAUTHORIZED" : String.join(",", error.codes());
    return new RegistryAuthenticationException(
        "registry " + target.registry() + " returned " + error.status() + " " + codes + " for " + target.repository()
            + ": " + why + " (" + endpoint.action() + ")",
        target.registry(), target.repository(), error.status(), error.codes(), null);
  }

  RegistryException fromTransport(RegistryEndpoint<?> endpoint, IOException e, int attempts) {
    String where = target.name() + ": ";
    String peer = target.registry().equalsIgnoreCase(target.hostPort()) ? "" : " (" + target.hostPort() + ")";
    String after = attempts > 1 ? ", after " + attempts + " attempts" : "";
    String message;
    if (e instanceof ConnectException) {
      message = where + "connection refused" + peer + " (is the registry running?)";
    } else if (e instanceof UnknownHostException) {
      message = where + "unknown host " + target.host() + " (check the registry name and DNS)";
    } else if (e instanceof NoRouteToHostException) {
      message = where + "no route to " + target.hostPort();
    } else if (e instanceof SocketTimeoutException) {
      message = where + "timed out talking to " + target.hostPort() + " while " + endpoint.action() + " ("
          + Redact.text(e.getMessage()) + after + ")";
    } else if (e instanceof SSLException) {
      message = where + "TLS with " + target.hostPort() + " failed: " + Redact.text(e.getMessage())
          + " (for a registry with its own CA use --ca-file; for a plain-HTTP one, --insecure-registry)";
    } else if (e instanceof InterruptedIOException) {
      message = where + "interrupted while " + endpoint.action();
    } else {
      message = where + "connection to " + target.hostPort() + " failed while " + endpoint.action() + ": "
          + Redact.text(String.valueOf(e.getMessage())) + after;
    }
    return new RegistryUnreachableException(message, target.registry(), target.repository(), e);
  }

  RegistryProtocolException protocol(String detail, Throwable cause) {
    return new RegistryProtocolException(
        target.name() + ": " + detail, target.registry(), target.repository(), cause);
  }

  private static String defaultDetail(int status) {
    return switch (status) {
      case 401 -> "authentication required";
      case 403 -> "access denied";
      case 404 -> "not found";
      case 405 -> "operation not supported by this registry";
      case 429 -> "too many requests";
      default -> status >= 500 ? "server error" : "request failed";
    };
  }

  static String reason(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHORIZED";
      case 403 -> "FORBIDDEN";
      case 404 -> "NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case 408 -> "REQUEST_TIMEOUT";
      case 416 -> "RANGE_NOT_SATISFIABLE";
      case 429 -> "TOOMANYREQUESTS";
      case 500 -> "INTERNAL_SERVER_ERROR";
      case 502 -> "BAD_GATEWAY";
      case 503 -> "SERVICE_UNAVAILABLE";
      case 504 -> "GATEWAY_TIMEOUT";
      default -> "HTTP_" + status;
    };
  }
}
