package dev.jbuild.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * JSON trees read and written with jackson-core's streaming parser and generator alone.
 *
 * <p>Why not {@code ObjectMapper}: initialising databind's mapper (its date formats pull in the locale and calendar
 * providers) and introspecting a type cost more than everything else {@code jbuild run --rm IMAGE true} does in
 * Java (DESIGN 8), yet every document jbuild reads on its hot paths is a small tree it maps by hand. The node
 * classes ({@link ObjectNode}, {@link ArrayNode}) are plain data and need no mapper.
 *
 * <p>Reading is strict: duplicate keys are an error (CVE-2014-8179), nesting is bounded, and anything after the
 * root value is an error. Numbers become the node databind's default {@code readTree} would make (int, long or big
 * integer by size; double for fractions), and writing gives the bytes {@code ObjectMapper.writeValueAsBytes} gives
 * for the same tree, so digests of documents written before stay the same.
 */
public final class JsonTrees {
  /** Deeper nesting than any manifest, config or bundle has; deeper input is refused, not recursed into. */
  static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTrees() {}

  /**
   * Parses {@code json} into a tree, strictly.
   *
   * @throws JsonParseException for invalid JSON, a duplicate key, too deep nesting or trailing content; its
   *     {@link JsonParseException#getOriginalMessage()} says what, without the input echoed
   */
  public static JsonNode read(byte[] json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      return readRoot(p);
    }
  }

  /** As {@link #read(byte[])}, for text (one line of a JSON log, say). */
  public static JsonNode read(String json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      return readRoot(p);
    }
  }

  private static JsonNode readRoot(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw new JsonParseException(p, "No content to map due to end-of-input");
    }
    JsonNode root = value(p, t);
    JsonToken trailing = p.nextToken();
    if (trailing != null) {
      throw new JsonParseException(p, "Trailing token (of type " + trailing + ") found after value");
    }
    return root;
  }

  private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT: {
        ObjectNode o = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
          o.set(name, value(p, p.nextToken()));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = NODES.arrayNode();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          a.add(value(p, e));
        }
        return a;
      }
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return NODES.numberNode(p.getIntValue());
          case LONG:
            return NODES.numberNode(p.getLongValue());
          default:
            return NODES.numberNode(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        // END_OBJECT/END_ARRAY never arrive here (the parser rejects them unbalanced); anything else is unknown.
        throw new JsonParseException(p, "Unexpected token " + t);
    }
  }

  /** Compact bytes of {@code node}, in the tree's field order. */
  public static byte[] write(JsonNode node) {
    return write(node, false);
  }

  /** Bytes of {@code node} indented as databind's {@code INDENT_OUTPUT} does, for files people read. */
  public static byte[] writePretty(JsonNode node) {
    return write(node, true);
  }

  private static byte[] write(JsonNode node, boolean pretty) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (pretty) {
        g.useDefaultPrettyPrinter();
      }
      write(g, node);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a JSON tree to memory", e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, JsonNode n) throws IOException {
    switch (n.getNodeType()) {
      case OBJECT: {
        g.writeStartObject();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          g.writeFieldName(e.getKey());
          write(g, e.getValue());
        }
        g.writeEndObject();
        break;
      }
      case ARRAY: {
        g.writeStartArray();
        for (JsonNode e : n) {
          write(g, e);
        }
        g.writeEndArray();
        break;
      }
      case STRING:
        g.writeString(n.textValue());
        break;
      case NUMBER:
        switch (n.numberType()) {
          case INT:
            g.writeNumber(n.intValue());
            break;
          case LONG:
            g.writeNumber(n.longValue());
            break;
          case BIG_INTEGER:
            g.writeNumber(n.bigIntegerValue());
            break;
          case FLOAT:
            g.writeNumber(n.floatValue());
            break;
          case DOUBLE:
            g.writeNumber(n.doubleValue());
            break;
          default:
            g.writeNumber(n.decimalValue());
            break;
        }
        break;
      case BOOLEAN:
        g.writeBoolean(n.booleanValue());
        break;
      case NULL:
        g.writeNull();
        break;
      default:
        // BINARY, POJO and MISSING nodes are never built by jbuild.
        throw new IllegalArgumentException("cannot write a " + n.getNodeType() + " JSON node");
    }
  }
}
