package dev.jbuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void parseRetryAfter_secondsAndFutureDate_areHonoured() {
    assertThat(RetryPolicy.parseRetryAfter("3", NOW)).isEqualTo(Duration.ofSeconds(3));
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(5).atOffset(ZoneOffset.UTC));
    assertThat(RetryPolicy.parseRetryAfter(date, NOW)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void parseRetryAfter_pastDateOrGarbage_fallsBackToBackoff() {
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(5).atOffset(ZoneOffset.UTC));
    assertThat(RetryPolicy.parseRetryAfter(past, NOW)).isNull();
    assertThat(RetryPolicy.parseRetryAfter("soon", NOW)).isNull();
    assertThat(RetryPolicy.parseRetryAfter("-1", NOW)).isNull();
    assertThat(RetryPolicy.parseRetryAfter(null, NOW)).isNull();
  }

  @Test
  void delay_growsExponentiallyWithJitterAndIsCapped() {
    RetryPolicy policy = new RetryPolicy(RegistryClientSettings.defaults()
        .withRetryTiming(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofMillis(100)));
    for (int i = 0; i < 20; i++) {
      assertThat(policy.delay(1, null)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
      assertThat(policy.delay(3, null)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
      assertThat(policy.delay(30, null)).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }
    assertThat(policy.delay(1, "120")).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void allows_respectsAttemptAndTimeBudgets() {
    RetryPolicy policy = new RetryPolicy(RegistryClientSettings.defaults().withMaxRetries(2)
        .withRetryTiming(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMillis(100)));
    long start = System.nanoTime();
    assertThat(policy.allows(2, start, Duration.ofSeconds(1))).isTrue();
    assertThat(policy.allows(3, start, Duration.ofSeconds(1))).isFalse();
    assertThat(policy.allows(1, start, Duration.ofSeconds(11))).isFalse();
  }

  @Test
  void isRetryableStatus_onlyTransientStatuses() {
    assertThat(RetryPolicy.isRetryableStatus(429)).isTrue();
    assertThat(RetryPolicy.isRetryableStatus(408)).isTrue();
    assertThat(RetryPolicy.isRetryableStatus(502)).isTrue();
    assertThat(RetryPolicy.isRetryableStatus(501)).isFalse();
    assertThat(RetryPolicy.isRetryableStatus(404)).isFalse();
    assertThat(RetryPolicy.isRetryableStatus(401)).isFalse();
  }
}
