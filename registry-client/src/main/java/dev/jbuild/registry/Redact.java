package dev.jbuild.registry;

import java.util.regex.Pattern;

/** Strips secrets from text that may reach an exception message or event (C05). */
final class Redact {
  private static final Pattern USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]*@");
  private static final Pattern QUERY_VALUE = Pattern.compile("([?&][^=&#\\s]+)=[^&#\\s]*");
  private static final Pattern AUTH_HEADER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[a-z0-9._~+/=-]+");
  private static final Pattern TOKEN_FIELD =
      Pattern.compile("(?i)(\"?(?:access_token|refresh_token|token|password|secret)\"?\\s*[:=]\\s*\"?)[^\"&\\s,}]+");

  private Redact() {}

  /** A URL safe to print: no user info, and every query value replaced (presigned URLs carry signatures). */
  static String url(String url) {
    if (url == null) {
      return null;
    }
    return QUERY_VALUE.matcher(USERINFO.matcher(url).replaceAll("$1")).replaceAll("$1=REDACTED");
  }

  /** Free text from a server (error messages) with URLs, auth headers and token fields blanked, and bounded. */
  static String text(String text) {
    if (text == null) {
      return null;
    }
    String t = USERINFO.matcher(text).replaceAll("$1");
    t = QUERY_VALUE.matcher(t).replaceAll("$1=REDACTED");
    t = AUTH_HEADER.matcher(t).replaceAll("$1 <redacted>");
    t = TOKEN_FIELD.matcher(t).replaceAll("$1<redacted>");
    t = t.replaceAll("[\\p{Cntrl}&&[^\\t]]", " ");
    return t.length() > 300 ? t.substring(0, 297) + "..." : t;
  }
}
