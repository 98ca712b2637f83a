package dev.jbuild.store.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.store.apply.LayerApplier.Header;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderLogTest {
  /** The edits as text, one per line, in order. */
  private static final class Recorder implements HeaderLog.Edits {
    final List<String> seen = new ArrayList<>();

    @Override
    public void put(String path, boolean directory, int mode, long uid, long gid, Instant mtime, LayerEntry.Type type,
        String linkTarget) {
      seen.add("put " + path + " " + directory + " " + Integer.toOctalString(mode) + " " + uid + ":" + gid + " "
          + mtime + " " + type + " " + linkTarget);
    }

    @Override
    public void whiteout(String path) {
      seen.add("whiteout " + path);
    }

    @Override
    public void opaque(String dir) {
      seen.add("opaque " + dir);
    }
  }

  private static byte[] sampleLog() {
    HeaderLog log = new HeaderLog();
    log.add(new Header("./", '5', 0755, 0, 0, 10, 0, null));
    log.add(new Header("./etc/", '5', 0755, 0, 0, 10, 0, null));
    log.add(new Header("./etc/passwd", '0', 0644, 0, 0, 11, 500, null));
    log.add(new Header("./etc/hosts.link", '1', 0644, 0, 0, 11, 0, "./etc/passwd"));
    log.add(new Header("./bin/sh", '2', 0777, 1000, 1000, -5, 999_999_999, "busybox"));
    log.add(new Header("./étć/ünïcode", '0', 0600, 7, 8, 12, 0, null));
    log.add(new Header("./var/.wh.cache", '0', 0, 0, 0, 0, 0, null));
    log.add(new Header("./opt/.wh..wh..opq", '0', 0, 0, 0, 0, 0, null));
    return log.bytes();
  }

  @Test
  void replay_givesTheEditsInOrder() throws Exception {
    Recorder r = new Recorder();
    HeaderLog.replay(sampleLog(), r);
    assertThat(r.seen).containsExactly(
        "put etc true 755 0:0 1970-01-01T00:00:10Z DIRECTORY null",
        "put etc/passwd false 644 0:0 1970-01-01T00:00:11.000000500Z REGULAR null",
        "put etc/hosts.link false 644 0:0 1970-01-01T00:00:11Z HARDLINK etc/passwd",
        "put bin/sh false 777 1000:1000 1969-12-31T23:59:55.999999999Z SYMLINK busybox",
        "put étć/ünïcode false 600 7:8 1970-01-01T00:00:12Z REGULAR null",
        "whiteout var/cache",
        "opaque opt");
  }

  @Test
  void replay_damagedLogs_areIoErrors_neverOtherExceptions() {
    byte[] log = sampleLog();
    // Cut at every length: each prefix is refused as an IOException, not a buffer or index error.
    for (int cut = 0; cut < log.length; cut++) {
      byte[] prefix = Arrays.copyOf(log, cut);
      assertThatThrownBy(() -> HeaderLog.replay(prefix, new Recorder())).as("cut at %d", cut)
          .isInstanceOf(IOException.class);
    }
    byte[] trailing = Arrays.copyOf(log, log.length + 1);
    assertThatThrownBy(() -> HeaderLog.replay(trailing, new Recorder())).hasMessageContaining("trailing bytes");
    byte[] badMagic = log.clone();
    badMagic[0] ^= 1;
    assertThatThrownBy(() -> HeaderLog.replay(badMagic, new Recorder())).hasMessageContaining("not a layer header log");
    // The first path's length (after magic, count and op) claims more bytes than there are.
    byte[] badLength = log.clone();
    ByteBuffer.wrap(badLength).putInt(9, Integer.MAX_VALUE);
    assertThatThrownBy(() -> HeaderLog.replay(badLength, new Recorder())).hasMessageContaining("bad string length");
    byte[] badOp = log.clone();
    badOp[8] = 9;
    assertThatThrownBy(() -> HeaderLog.replay(badOp, new Recorder())).hasMessageContaining("unknown operation 9");
  }
}
