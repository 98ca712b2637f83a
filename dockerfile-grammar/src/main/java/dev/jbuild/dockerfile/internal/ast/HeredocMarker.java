package dev.jbuild.dockerfile.internal.ast;

/** A heredoc opened on an instruction line ({@code <<EOF}, {@code <<-"EOF"}, {@code 3<<EOF}). */
public record HeredocMarker(String name, int fileDescriptor, boolean expand, boolean chomp) {
}
