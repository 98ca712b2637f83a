package dev.jbuild.store.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.JsonTrees;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A docker-archive's {@code manifest.json}: one entry per image, read strictly (duplicate keys, types). */
record DockerManifest(List<Entry> images) {
  /** One image: the archive names of its config and layers, and its tags (none for an untagged image). */
  record Entry(String config, List<String> repoTags, List<String> layers) {}

  static DockerManifest parse(byte[] json, String source) throws ArchiveException {
    JsonNode root;
    try {
      root = JsonTrees.read(json);
    } catch (JsonProcessingException e) {
      throw new ArchiveException(source + ": manifest.json is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ArchiveException(source + ": manifest.json is unreadable: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new ArchiveException(source + ": manifest.json must be a JSON array of images, not "
          + (root == null || root.isNull() ? "null" : root.getNodeType().toString().toLowerCase()));
    }
    if (root.isEmpty()) {
      throw new ArchiveException(source + ": manifest.json lists no images");
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      String where = source + ": manifest.json[" + i + "]";
      JsonNode e = root.get(i);
      if (!e.isObject()) {
        throw new ArchiveException(where + " is not an object");
      }
      JsonNode config = e.get("Config");
      if (config == null || !config.isTextual() || config.asText().isEmpty()) {
        throw new ArchiveException(where + ": Config must be a non-empty string");
      }
      out.add(new Entry(config.asText(), strings(e.get("RepoTags"), where + " RepoTags"),
          strings(e.get("Layers"), where + " Layers")));
    }
    return new DockerManifest(List.copyOf(out));
  }

  private static List<String> strings(JsonNode node, String where) throws ArchiveException {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new ArchiveException(where + " must be an array of strings");
    }
    for (JsonNode s : node) {
      if (!s.isTextual()) {
        throw new ArchiveException(where + " must be an array of strings");
      }
      out.add(s.asText());
    }
    return out;
  }

  /** The tags of the entries whose Config is the blob {@code config} (to name untagged OCI index entries). */
  List<String> tagsForConfig(ScannedArchive archive, Digest config) throws ArchiveException {
    List<String> out = new ArrayList<>();
    for (Entry e : images) {
      ScannedArchive.StoredFile f = archive.files.get(archive.resolve(TarNames.clean(e.config(), "manifest.json")));
      if (f != null && f.digest().equals(config)) {
        for (String tag : e.repoTags()) {
          String name = ArchiveLoader.familiar(tag, "manifest.json RepoTags");
          if (!out.contains(name)) {
            out.add(name);
          }
        }
      }
    }
    return out;
  }
}
