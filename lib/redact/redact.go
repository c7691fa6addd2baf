// Package redact hides secrets in text that may reach a terminal or a log:
// every HTTP error (lib/httpx) and every message a tool prints (lib/cli) go
// through it. It is a leaf: it imports nothing of cronkit's, so that both
// can use it without importing each other. It is not a public API.
package redact

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// userinfo is compiled on first use: most runs never redact anything.
var userinfo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(://[^/@\s:]*):[^/@\s]*@`) })

// String hides URL passwords (https://user:pass@host) and every secret of 4
// bytes or more in s, in the forms a server may echo it back: raw,
// form-encoded, or JSON-escaped (with or without HTML escaping). Shorter
// secrets are ignored: replacing "a" everywhere would mangle the message.
func String(s string, secrets ...string) string {
	if strings.Contains(s, "@") {
		s = userinfo().ReplaceAllString(s, "$1:[REDACTED]@")
	}
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
			if q := url.QueryEscape(sec); q != sec {
				s = strings.ReplaceAll(s, q, "[REDACTED]")
			}
			if j, err := json.Marshal(sec); err == nil {
				for _, e := range []string{string(j[1 : len(j)-1]), jsonEscapeNoHTML(sec)} {
					if e != sec {
						s = strings.ReplaceAll(s, e, "[REDACTED]")
					}
				}
			}
		}
	}
	return s
}

func jsonEscapeNoHTML(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}
