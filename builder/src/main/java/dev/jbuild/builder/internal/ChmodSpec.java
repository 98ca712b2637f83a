package dev.jbuild.builder.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --chmod} value: octal ({@code 755}, {@code 0644}, up to {@code 7777}) sets the mode outright; symbolic
 * clauses ({@code u+x,g-w}, {@code a=rX}, {@code go=u}) change each file's own mode as chmod(1) does. Without a
 * who letter a clause applies to all ({@code +x} is {@code a+x}); no umask is involved, since there is no process
 * whose umask would count. {@code X} adds execute only to directories and to files that already have an execute
 * bit; {@code s} is setuid/setgid and {@code t} the sticky bit.
 *
 * <pre>{@code
 * ChmodSpec.parse("u+x,go-w").apply(0666, false); // 0744
 * }</pre>
 */
final class ChmodSpec {
  private static final int USER = 04700;
  private static final int GROUP = 02070;
  private static final int OTHER = 01007;

  /** One clause: who (bit mask of user/group/other), op, and what to add, remove or set. */
  private record Clause(int who, char op, String perms) {}

  private final Integer octal;
  private final List<Clause> clauses;
  private final String text;

  private ChmodSpec(Integer octal, List<Clause> clauses, String text) {
    this.octal = octal;
    this.clauses = clauses;
    this.text = text;
  }

  /** Parses a --chmod value; throws {@link IllegalArgumentException} with the reason when it is malformed. */
  static ChmodSpec parse(String spec) {
    if (spec.matches("0*[0-7]{1,4}")) {
      return new ChmodSpec(Integer.parseInt(spec, 8), List.of(), spec);
    }
    if (spec.matches("\\d+")) {
      throw new IllegalArgumentException("invalid octal mode " + spec);
    }
    List<Clause> clauses = new ArrayList<>();
    for (String clause : spec.split(",", -1)) {
      int i = 0;
      int who = 0;
      while (i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0) {
        char w = clause.charAt(i++);
        who |= w == 'u' ? 1 : w == 'g' ? 2 : w == 'o' ? 4 : 7;
      }
      if (who == 0) {
        who = 7;
      }
      if (i >= clause.length()) {
        throw new IllegalArgumentException("invalid mode \"" + spec + "\": clause \"" + clause + "\" has no operator");
      }
      // One clause may chain operations: u+x-w.
      while (i < clause.length()) {
        char op = clause.charAt(i++);
        if (op != '+' && op != '-' && op != '=') {
          throw new IllegalArgumentException("invalid mode \"" + spec + "\": expected +, - or = in \"" + clause + "\"");
        }
        int start = i;
        while (i < clause.length() && "rwxXstugo".indexOf(clause.charAt(i)) >= 0) {
          i++;
        }
        String perms = clause.substring(start, i);
        if (perms.matches(".*[ugo].*") && perms.length() != 1) {
          throw new IllegalArgumentException("invalid mode \"" + spec + "\": u, g or o must stand alone in \"" + clause
              + "\"");
        }
        clauses.add(new Clause(who, op, perms));
      }
    }
    return new ChmodSpec(null, List.copyOf(clauses), spec);
  }

  boolean isOctal() {
    return octal != null;
  }

  @Override
  public String toString() {
    return text;
  }

  /** The mode (07777 bits) a file or directory whose own mode is {@code mode} ends with. */
  int apply(int mode, boolean directory) {
    if (octal != null) {
      return octal;
    }
    int m = mode & 07777;
    for (Clause c : clauses) {
      int mask = whoMask(c.who());
      int bits = bits(c.perms(), m, directory) & mask;
      switch (c.op()) {
        case '+' -> m |= bits;
        case '-' -> m &= ~bits;
        default -> m = (m & ~mask) | bits;
      }
    }
    return m;
  }

  private static int whoMask(int who) {
    int mask = 0;
    if ((who & 1) != 0) {
      mask |= USER;
    }
    if ((who & 2) != 0) {
      mask |= GROUP;
    }
    if ((who & 4) != 0) {
      mask |= OTHER;
    }
    return mask;
  }

  /** The permission letters as bits spread over user, group and other (the who mask then picks). */
  private static int bits(String perms, int current, boolean directory) {
    int b = 0;
    for (char p : perms.toCharArray()) {
      switch (p) {
        case 'r' -> b |= 0444;
        case 'w' -> b |= 0222;
        case 'x' -> b |= 0111;
        case 'X' -> {
          if (directory || (current & 0111) != 0) {
            b |= 0111;
          }
        }
        case 's' -> b |= 06000;
        case 't' -> b |= 01000;
        case 'u' -> b |= spread((current >> 6) & 7);
        case 'g' -> b |= spread((current >> 3) & 7);
        case 'o' -> b |= spread(current & 7);
        default -> throw new IllegalStateException("unreachable: " + p);
      }
    }
    return b;
  }

  private static int spread(int rwx) {
    return rwx << 6 | rwx << 3 | rwx;
  }
}
