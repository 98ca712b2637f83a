package dev.jbuild.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to retry and how long to wait: exponential backoff with full jitter (so many clients hitting one
 * throttled registry spread out), {@code Retry-After} honoured but capped, and a bound on both attempts and
 * total time so a registry that fails forever cannot hold a build (R01-R04).
 */
final class RetryPolicy {
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final int maxRetries;
  private final Duration maxTotal;
  private final Duration maxRetryAfter;
  private final Duration initial;

  RetryPolicy(RegistryClientSettings settings) {
    this.maxRetries = settings.maxRetries();
    this.maxTotal = settings.maxRetryTime();
    this.maxRetryAfter = settings.maxRetryAfter();
    this.initial = settings.initialBackoff();
  }

  static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
  }

  /** The wait before attempt {@code failedAttempts + 1}: Retry-After when valid, else jittered backoff. */
  Duration delay(int failedAttempts, String retryAfter) {
    Duration serverSays = parseRetryAfter(retryAfter, Instant.now());
    if (serverSays != null) {
      return serverSays.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : serverSays;
    }
    long ceiling = initial.toMillis() << Math.min(20, failedAttempts - 1);
    ceiling = Math.min(ceiling, MAX_BACKOFF.toMillis());
    // Full jitter, but never below half the ceiling so the first retry is not instantaneous.
    long millis = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    return Duration.ofMillis(millis);
  }

  /** Whether another attempt fits both budgets. */
  boolean allows(int failedAttempts, long startNanos, Duration delay) {
    long elapsed = System.nanoTime() - startNanos;
    return failedAttempts <= maxRetries && elapsed + delay.toNanos() <= maxTotal.toNanos();
  }

  /** Seconds or an HTTP-date in the future; null for a missing, invalid or past value (R04). */
  static Duration parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      Instant when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return when.isAfter(now) ? Duration.between(now, when) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static void sleep(Duration delay) throws java.io.InterruptedIOException {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting to retry");
    }
  }
}
