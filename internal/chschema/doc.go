// Package chschema is the one authority on ClickHouse schema text shared
// by the compiler (gen/evolve's migrations, gen/emit/sqlddl's DDL) and the
// runtime (internal/warehouse's preflight and its DriftError report):
// quoting identifiers and string literals, parsing and normalising column
// types, the column difference between two tables as typed changes, and
// the ALTER statements that make one table match the other. Because both
// sides call the same functions, a generated migration and the runtime's
// proposal for the same change are the same text.
//
// The rules, chosen once:
//   - Quoting: identifiers in backticks, strings in single quotes; inside
//     either, backslash, the quote, \n, \r, \t and NUL are backslash
//     escapes and other control bytes \xHH, so any text stays on one line
//     inside its quotes (SplitStatements splits DDL at ";\n"). Both engines
//     (18.16 and 26.x) read these escapes.
//   - Reordering: a live table's columns are never reordered. ClickHouse
//     18.16, the oldest supported server, has no MODIFY COLUMN ... AFTER,
//     and every generated migration must run there; a moved column is a
//     Moved change that Alter refuses with ErrReorder, and the compiler
//     reports it as a mapping error.
//   - A new column goes AFTER the column that precedes it in the wanted
//     order; it cannot come first (18.16 has no ADD COLUMN ... FIRST). Its
//     comment is set by a separate COMMENT COLUMN (18.16 ignores COMMENT
//     inside ADD COLUMN).
//   - A column that leaves Nullable is modified with DEFAULT and the zero
//     value of its new type, which ClickHouse needs to fill the NULLs.
//   - Types are compared after NormalizeType, so spellings that mean the
//     same type (Decimal64(2), 'Etc/UTC', Boolean) are not changes.
package chschema
