package dev.jbuild.store.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GetfattrTest {
  @Test
  void parse_dumpWithEscapedNamesAndHexValues_decodesBytes() throws Exception {
    String dump = "# file: /r/d/ping\n"
        + "security.capability=0x0100000200210000000000000000000000000000\n"
        + "security.selinux=0x73797374656d5f753a6f626a6563745f723a62696e5f743a733000\n"
        + "system.posix_acl_access=0x0200\n"
        + "\n"
        + "# file: /r/d/we ird=\\134name\\012x\n"
        + "user.x=0xff00\n"
        + "user.empty\n"
        + "user.quoted=\"a\\000b\"\n"
        + "\n";

    Map<Path, Map<String, byte[]>> parsed = Getfattr.parse(new BufferedReader(new StringReader(dump)));

    assertThat(parsed).containsOnlyKeys(Path.of("/r/d/ping"), Path.of("/r/d/we ird=\\name\nx"));
    assertThat(parsed.get(Path.of("/r/d/ping"))).containsOnlyKeys("security.capability");
    assertThat(parsed.get(Path.of("/r/d/ping")).get("security.capability"))
        .isEqualTo(new byte[] {1, 0, 0, 2, 0, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    Map<String, byte[]> weird = parsed.get(Path.of("/r/d/we ird=\\name\nx"));
    assertThat(weird.get("user.x")).isEqualTo(new byte[] {(byte) 0xff, 0});
    assertThat(weird.get("user.empty")).isEmpty();
    assertThat(weird.get("user.quoted")).isEqualTo(new byte[] {'a', 0, 'b'});
  }

  @Test
  void unescape_utf8Octets_decodedAsUtf8() {
    assertThat(Getfattr.unescape("caf\\303\\251")).isEqualTo("caf\u00e9");
  }
}
