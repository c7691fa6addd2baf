// Package chart parses chartd.co-compatible chart queries, encodes data into
// the one-character-a-point format, lays charts out once and draws that layout
// as SVG or PNG, and serves charts over HTTP. It is not a public API: only the
// cronkit tools import it.
//
// Format facts come from /work/shared/reference/chartd-format.md (cited as
// "ref §N" in comments and tests).
package chart
