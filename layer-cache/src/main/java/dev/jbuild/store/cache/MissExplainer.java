package dev.jbuild.store.cache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;

/** Compares a missed key's fields with an earlier entry's: pure logic, no files. */
final class MissExplainer {
  static final String NO_EARLIER = "no earlier build of this step after the same parent";

  private MissExplainer() {}

  /** The fields of {@code now} that differ from {@code before}, then the fields {@code now} no longer has. */
  static List<Explanation.FieldChange> diff(List<CacheKey.Field> now, List<CacheKey.Field> before) {
    Map<String, CacheKey.Field> old = new LinkedHashMap<>();
    before.forEach(f -> old.put(f.name(), f));
    List<Explanation.FieldChange> changes = new ArrayList<>();
    for (CacheKey.Field f : now) {
      CacheKey.Field o = old.remove(f.name());
      if (o == null) {
        changes.add(new Explanation.FieldChange(f.name(), null, f.value()));
      } else if (!f.sameAs(o)) {
        changes.add(change(o, f));
      }
    }
    old.values().forEach(o -> changes.add(new Explanation.FieldChange(o.name(), o.value(), null)));
    return changes;
  }

  /** For two maps only the entries that differ are shown, so one changed ARG among forty reads clearly. */
  private static Explanation.FieldChange change(CacheKey.Field before, CacheKey.Field after) {
    if (before.kind() != CacheKey.Kind.MAP || after.kind() != CacheKey.Kind.MAP
        || before.entries().equals(after.entries())) {
      return new Explanation.FieldChange(after.name(), before.value(), after.value());
    }
    StringJoiner was = new StringJoiner(" ");
    StringJoiner is = new StringJoiner(" ");
    TreeSet<String> names = new TreeSet<>(before.entries().keySet());
    names.addAll(after.entries().keySet());
    for (String name : names) {
      String b = before.entries().get(name);
      String a = after.entries().get(name);
      if (b == null || !b.equals(a)) {
        was.add(b == null ? name + " (unset)" : name + "=" + b);
        is.add(a == null ? name + " (unset)" : name + "=" + a);
      }
    }
    return new Explanation.FieldChange(after.name(), was.toString(), is.toString());
  }

  static String summary(List<Explanation.FieldChange> changes) {
    if (changes.isEmpty()) {
      // Same renderings, different key: only possible when the fields came in another order.
      return "the fields are the same as in the nearest earlier build but in another order";
    }
    StringJoiner s = new StringJoiner("; ");
    changes.forEach(c -> s.add(c.toString()));
    return s.toString();
  }
}
