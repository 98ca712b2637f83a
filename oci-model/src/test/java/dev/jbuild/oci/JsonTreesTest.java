package dev.jbuild.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JsonTrees must read and write exactly as the databind mapper it replaced on the hot paths. */
class JsonTreesTest {
  private static final ObjectMapper DATABIND = new ObjectMapper();

  /** Every kind of value, escapes, non-ASCII, and numbers at each size boundary. */
  private static final String SAMPLE = "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001/é✓𝄞\",\"i\":2147483647,"
      + "\"l\":2147483648,\"n\":-9223372036854775808,\"big\":123456789012345678901234567890,"
      + "\"d\":1.5,\"e\":-2.5E-8,\"t\":true,\"f\":false,\"z\":null,\"a\":[[],{},[1,[2,{\"x\":[]}]]],"
      + "\"o\":{\"k\":{\"k\":\"v\"}},\"\":\"empty key\"}";

  @Test
  void read_givesTheTreeDatabindGives() throws Exception {
    byte[] json = SAMPLE.getBytes(StandardCharsets.UTF_8);
    JsonNode ours = JsonTrees.read(json);
    JsonNode theirs = DATABIND.readTree(json);
    assertThat(ours).isEqualTo(theirs);
    // Node classes too (equals compares values, not whether 2147483648 became a long).
    assertThat(ours.get("i").numberType()).isEqualTo(theirs.get("i").numberType());
    assertThat(ours.get("l").numberType()).isEqualTo(theirs.get("l").numberType());
    assertThat(ours.get("big").numberType()).isEqualTo(theirs.get("big").numberType());
    assertThat(ours.get("d").numberType()).isEqualTo(theirs.get("d").numberType());
  }

  @Test
  void write_givesDatabindsBytes_compactAndIndented() throws Exception {
    JsonNode tree = JsonTrees.read(SAMPLE.getBytes(StandardCharsets.UTF_8));
    ObjectNode withBuilt = (ObjectNode) tree.deepCopy();
    JsonNodeFactory exact = JsonNodeFactory.withExactBigDecimals(true);
    withBuilt.set("dec", exact.numberNode(new BigDecimal("1.10")));
    withBuilt.set("bi", exact.numberNode(BigInteger.TEN.pow(30)));
    withBuilt.set("fl", exact.numberNode(0.25f));
    withBuilt.set("lg", exact.numberNode(5L));

    assertThat(JsonTrees.write(withBuilt)).isEqualTo(DATABIND.writeValueAsBytes(withBuilt));
    assertThat(JsonTrees.writePretty(withBuilt))
        .isEqualTo(DATABIND.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(withBuilt));
    // As databind, a character beyond the BMP is written as its escaped surrogate pair.
    assertThat(new String(JsonTrees.write(tree), StandardCharsets.UTF_8))
        .isEqualTo(SAMPLE.replace("𝄞", "\\uD834\\uDD1E"));
  }

  @Test
  void read_duplicateKey_isAnErrorNamingIt() {
    assertThatThrownBy(() -> JsonTrees.read("{\"a\":{\"b\":1,\"b\":2}}"))
        .isInstanceOf(JsonParseException.class).hasMessageContaining("Duplicate field 'b'");
  }

  @Test
  void read_trailingContent_isAnError() {
    assertThatThrownBy(() -> JsonTrees.read("{\"a\":1} {\"a\":2}"))
        .isInstanceOf(JsonParseException.class).hasMessageContaining("Trailing token");
    assertThatThrownBy(() -> JsonTrees.read("[1]]")).isInstanceOf(JsonParseException.class);
  }

  @Test
  void read_emptyOrTruncated_isAnError() {
    assertThatThrownBy(() -> JsonTrees.read("")).isInstanceOf(JsonParseException.class)
        .hasMessageContaining("No content");
    assertThatThrownBy(() -> JsonTrees.read("   ")).isInstanceOf(JsonParseException.class);
    assertThatThrownBy(() -> JsonTrees.read("{\"a\":[1,2")).isInstanceOf(JsonParseException.class);
    assertThatThrownBy(() -> JsonTrees.read("{\"a\" 1}")).isInstanceOf(JsonParseException.class);
  }

  @Test
  void read_nestingDeeperThanTheLimit_isRefusedWithoutRecursingIntoIt() throws Exception {
    String ok = "[".repeat(JsonTrees.MAX_DEPTH) + "]".repeat(JsonTrees.MAX_DEPTH);
    assertThat(JsonTrees.read(ok).isArray()).isTrue();
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThatThrownBy(() -> JsonTrees.read(deep)).hasMessageContaining("nesting depth");
    String deepObjects = "{\"a\":".repeat(JsonTrees.MAX_DEPTH + 1) + "1" + "}".repeat(JsonTrees.MAX_DEPTH + 1);
    assertThatThrownBy(() -> JsonTrees.read(deepObjects)).hasMessageContaining("nesting depth");
  }

  @Test
  void read_scalarRoot_isAValueNode() throws Exception {
    assertThat(JsonTrees.read("\"x\"").textValue()).isEqualTo("x");
    assertThat(JsonTrees.read("null").isNull()).isTrue();
  }
}
