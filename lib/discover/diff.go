package discover

import (
	"fmt"
	"strings"
)

const diffContext = 3

// unifiedDiff diffs two texts with a plain LCS over lines (files here are
// crontabs and unit drop-ins: small), in the unified format with three
// lines of context. A missing final newline is marked as diff(1) does.
func unifiedDiff(oldName, newName string, a, b []byte) string {
	al, bl := diffLines(string(a)), diffLines(string(b))
	n, m := len(al), len(bl)
	if n == m {
		// discover replaces lines in place: pair them up, no LCS table
		// (whose size would grow with the square of a big crontab).
		return formatHunks(oldName, newName, pairOps(al, bl))
	}
	// lcs[i][j]: length of the LCS of al[i:] and bl[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && al[i] == bl[j]:
			ops = append(ops, op{' ', al[i], i, j})
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
			ops = append(ops, op{'+', bl[j], i, j})
			j++
		default:
			ops = append(ops, op{'-', al[i], i, j})
			i++
		}
	}
	return formatHunks(oldName, newName, ops)
}

type op struct {
	kind byte // ' ', '-', '+'
	text string
	i, j int // line indexes in a and b before this op
}

// pairOps diffs two texts of as many lines line by line: a changed line is
// a '-' and a '+' (changed runs are grouped, removals first, as diff does).
func pairOps(al, bl []string) []op {
	var ops []op
	for i := 0; i < len(al); {
		if al[i] == bl[i] {
			ops = append(ops, op{' ', al[i], i, i})
			i++
			continue
		}
		j := i
		for j < len(al) && al[j] != bl[j] {
			j++
		}
		for k := i; k < j; k++ {
			ops = append(ops, op{'-', al[k], k, i})
		}
		for k := i; k < j; k++ {
			ops = append(ops, op{'+', bl[k], j, k})
		}
		i = j
	}
	return ops
}

func formatHunks(oldName, newName string, ops []op) string {
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk: back up the context, run until a gap of more than twice
		// the context.
		start := max(k-diffContext, 0)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			gap := end
			for gap < len(ops) && ops[gap].kind == ' ' {
				gap++
			}
			if gap == len(ops) || gap-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = gap
		}
		var aN, bN int
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				aN++
			}
			if o.kind != '-' {
				bN++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(ops[start].i, aN), hunkRange(ops[start].j, bN))
		for _, o := range ops[start:end] {
			text, noEOL := strings.CutSuffix(o.text, "\x00")
			out.WriteByte(o.kind)
			out.WriteString(text)
			out.WriteByte('\n')
			if noEOL {
				out.WriteString("\\ No newline at end of file\n")
			}
		}
		k = end
	}
	return out.String()
}

// diffLines splits text into lines; a last line without a newline carries
// a NUL marker so that it differs from the same line with one.
func diffLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if t, ok := strings.CutSuffix(l, "\n"); ok {
			lines[i] = t
		} else {
			lines[i] = l + "\x00"
		}
	}
	return lines
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
