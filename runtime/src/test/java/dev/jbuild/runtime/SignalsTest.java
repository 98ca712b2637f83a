package dev.jbuild.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignalsTest {
  @Test
  void number_namesWithAndWithoutSigAndNumbers() {
    assertThat(Signals.number("SIGTERM")).isEqualTo(15);
    assertThat(Signals.number("term")).isEqualTo(15);
    assertThat(Signals.number("9")).isEqualTo(9);
    assertThat(Signals.number("SIGUSR1")).isEqualTo(10);
    assertThat(Signals.number("SIGWINCH")).isEqualTo(28);
    assertThat(Signals.number("SIGRTMIN+3")).isEqualTo(37);
    assertThat(Signals.number("RTMAX")).isEqualTo(64);
  }

  @Test
  void number_unknown_fails() {
    assertThatThrownBy(() -> Signals.number("SIGNOPE")).hasMessage("invalid signal: SIGNOPE");
    assertThatThrownBy(() -> Signals.number("0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signals.number("65")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signals.number("RTMIN+40")).isInstanceOf(IllegalArgumentException.class);
  }
}
