package pglog

import (
	"bytes"
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"
)

var (
	// reference §1.7: autoanalyze is not captured, as in pgmetrics.
	reAutovacuum = regexp.MustCompile(`^automatic (?:aggressive )?vacuum (?:to prevent wraparound )?of table "([^"]+)": index`)
	reElapsed    = regexp.MustCompile(`, elapsed: ([0-9.]+) s`)
	rePlan       = regexp.MustCompile(`^duration: [0-9]+\.[0-9]+ ms  plan:\r?\n`)
	reCost       = regexp.MustCompile(`cost=.*rows=[0-9]`)
	reXMLQuery   = regexp.MustCompile(`(?s)<Query-Text>(.*?)</Query-Text>`)
)

// Derive adds to the entries what pgmetrics derives from them: autovacuum
// runs, deadlocks and auto_explain plans (reference §1.7).
func Derive(entries []Entry) Records {
	r := Records{LogEntries: entries}
	for _, e := range entries {
		if m := reAutovacuum.FindStringSubmatch(e.Line); m != nil {
			if el := reElapsed.FindStringSubmatch(e.Line); el != nil {
				secs, err := strconv.ParseFloat(el[1], 64)
				if err == nil {
					r.Autovacuums = append(r.Autovacuums, Autovacuum{At: e.At, TableName: m[1], Elapsed: secs})
				}
			}
			continue
		}
		if e.Line == "deadlock detected" {
			d := Deadlock{At: e.At}
			for _, x := range e.Extra {
				if x.Level == "DETAIL" {
					d.Detail = strings.ReplaceAll(x.Line, "\t", "") + "\n"
					break
				}
			}
			r.Deadlocks = append(r.Deadlocks, d)
			continue
		}
		if loc := rePlan.FindStringIndex(e.Line); loc != nil {
			p := plan(e.Line[loc[1]:])
			p.Database, p.UserName, p.At, p.QueryID = e.DBName, e.User, e.At, e.QueryID
			r.Plans = append(r.Plans, p)
		}
	}
	return r
}

// plan reads an auto_explain body in any of its four formats. pgmetrics
// fills query and plan for text and json only; xml and yaml get them here too.
func plan(body string) Plan {
	trimmed := strings.TrimLeft(body, " \t\r\n")
	switch {
	case strings.HasPrefix(trimmed, "{"):
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(trimmed))
		dec.UseNumber() // keep costs and row counts as logged
		if err := dec.Decode(&m); err != nil {
			return Plan{Format: "json", Plan: trimmed}
		}
		q, _ := m["Query Text"].(string)
		delete(m, "Query Text")
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(m) // map keys come out sorted, as pgmetrics'
		return Plan{Format: "json", Query: q, Plan: strings.TrimSuffix(buf.String(), "\n")}
	case strings.HasPrefix(trimmed, "<explain"):
		p := Plan{Format: "xml", Plan: trimmed}
		if m := reXMLQuery.FindStringSubmatch(trimmed); m != nil {
			p.Query = html.UnescapeString(m[1])
		}
		return p
	case strings.HasPrefix(trimmed, `Query Text: "`):
		first, rest, _ := strings.Cut(trimmed, "\n")
		q := strings.TrimPrefix(first, "Query Text: ")
		if uq, err := strconv.Unquote(q); err == nil {
			q = uq
		} else {
			q = strings.Trim(q, `"`)
		}
		return Plan{Format: "yaml", Query: q, Plan: rest}
	case strings.HasPrefix(trimmed, "Query Text: "):
		lines := strings.Split(body, "\n")
		p := Plan{Format: "text"}
		start := -1
		for i, l := range lines {
			t := strings.TrimLeft(l, " \t")
			if p.Query == "" && strings.HasPrefix(t, "Query Text: ") {
				p.Query = strings.TrimPrefix(t, "Query Text: ")
				continue
			}
			if start < 0 && reCost.MatchString(l) {
				start = i
			}
		}
		if start >= 0 {
			p.Plan = strings.Join(lines[start:], "\n")
		}
		return p
	}
	return Plan{Format: "text", Plan: body}
}
