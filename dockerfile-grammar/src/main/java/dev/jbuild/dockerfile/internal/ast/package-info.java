/**
 * The generic AST, at BuildKit's parser level: instruction word, flags, arguments, heredocs and
 * line span for every instruction, unknown ones included. Not API.
 */
package dev.jbuild.dockerfile.internal.ast;
