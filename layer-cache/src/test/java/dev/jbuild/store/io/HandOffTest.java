package dev.jbuild.store.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class HandOffTest {
  private static long count(java.io.InputStream in) throws IOException {
    return in.transferTo(OutputStream.nullOutputStream());
  }

  @Test
  void finish_returnsWhatTheConsumerMadeOfEveryByte() throws Exception {
    try (HandOff<Long> h = new HandOff<>("t-count", HandOffTest::count)) {
      byte[] b = new byte[HandOff.CHUNK * 3 + 17];
      h.write(b, 0, 5);
      h.write(b, 5, b.length - 5);
      assertThat(h.finish()).isEqualTo(b.length);
    }
  }

  @Test
  void aConsumerThatFails_neverBlocksTheWriter_andFinishThrowsItsError() throws Exception {
    try (HandOff<Long> h = new HandOff<>("t-fail", in -> {
      in.read();
      throw new IllegalStateException("bad input");
    })) {
      byte[] b = new byte[HandOff.CHUNK];
      for (int i = 0; i < HandOff.QUEUED_CHUNKS * 3; i++) { // far more than the queue holds
        h.write(b, 0, b.length);
      }
      assertThatThrownBy(h::finish).isInstanceOf(IOException.class).hasMessageContaining("bad input");
    }
  }

  @Test
  void anInterruptedHandOver_meansNoResult_evenIfLaterWritesGoThrough() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    HandOff<Long> h = new HandOff<>("t-cut", in -> {
      release.await(); // let the queue fill up
      return count(in);
    });
    byte[] b = new byte[HandOff.CHUNK];
    for (int i = 0; i < HandOff.QUEUED_CHUNKS; i++) {
      h.write(b, 0, b.length);
    }
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> h.write(b, 0, b.length)).isInstanceOf(InterruptedIOException.class);
    assertThat(Thread.interrupted()).isTrue(); // passed on, and cleared here
    release.countDown();
    assertThatThrownBy(() -> h.write(b, 0, 1)).isInstanceOf(InterruptedIOException.class);
    assertThatThrownBy(h::finish).isInstanceOf(InterruptedIOException.class);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("t-cut"));
  }
}
