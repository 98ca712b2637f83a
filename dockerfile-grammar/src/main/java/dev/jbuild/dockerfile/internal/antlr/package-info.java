/**
 * ANTLR-generated lexer and parser for the physical/logical line structure (generated from
 * src/main/antlr4); not API.
 */
package dev.jbuild.dockerfile.internal.antlr;
