package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A minimal terminal for tests: applies text, CR, LF and the escape sequences the tty progress uses (cursor up
 * {@code ESC[nA}, clear to end of line {@code ESC[K}, clear below {@code ESC[J}) and remembers the widest column
 * written, so a test sees the screen a user would, and whether anything wrapped. Any other sequence fails.
 */
final class AnsiScreen {
  private final List<StringBuilder> rows = new ArrayList<>();
  private int row;
  private int col;
  private int widest;

  AnsiScreen feed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\033') {
        if (text.charAt(i + 1) != '[') {
          throw new IllegalArgumentException("unexpected escape at " + i);
        }
        int j = i + 2;
        while (Character.isDigit(text.charAt(j))) {
          j++;
        }
        int n = j == i + 2 ? 1 : Integer.parseInt(text.substring(i + 2, j));
        char op = text.charAt(j);
        switch (op) {
          case 'A' -> row = Math.max(0, row - n);
          case 'K' -> line().setLength(Math.min(line().length(), col));
          case 'J' -> {
            line().setLength(Math.min(line().length(), col));
            while (rows.size() > row + 1) {
              rows.remove(rows.size() - 1);
            }
          }
          default -> throw new IllegalArgumentException("unexpected escape sequence ESC[" + n + op);
        }
        i = j;
      } else if (c == '\r') {
        col = 0;
      } else if (c == '\n') {
        row++;
        col = 0;
      } else {
        StringBuilder line = line();
        while (line.length() < col) {
          line.append(' ');
        }
        if (col < line.length()) {
          line.setCharAt(col, c);
        } else {
          line.append(c);
        }
        col++;
        widest = Math.max(widest, col);
      }
    }
    return this;
  }

  private StringBuilder line() {
    while (rows.size() <= row) {
      rows.add(new StringBuilder());
    }
    return rows.get(row);
  }

  /** The screen's lines, trailing empty ones dropped. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    for (StringBuilder b : rows) {
      out.add(b.toString().stripTrailing());
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** The most columns any line ever used. */
  int widest() {
    return widest;
  }
}
