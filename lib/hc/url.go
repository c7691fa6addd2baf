package hc

import (
	"fmt"
	"net/url"
	"strings"
)

// Endpoints are the two bases of one Healthchecks server. HC_API_URL is
// runitor's ping base and hcctl's site root; users set it to either, so both
// tools resolve it here and get both (reference/healthchecks-api.md §2.1:
// the ping endpoint is PING_ENDPOINT, by default SITE_ROOT + "/ping/";
// hosted, it is https://hc-ping.com/ and the site https://healthchecks.io).
type Endpoints struct {
	Site string // site root: the Management API is under Site + "/api/v3/"
	Ping string // ping endpoint: a check pings Ping + "/<uuid>"
}

// The hosted service.
const (
	hostedSite = DefaultAPIURL
	hostedPing = DefaultPingURL
)

// URLError is a Healthchecks URL that names no server.
type URLError struct {
	URL    string // as given, a password hidden
	Reason string
}

func (e *URLError) Error() string { return fmt.Sprintf("Healthchecks URL %q %s", e.URL, e.Reason) }

// ResolveURL takes a server's site root or its ping endpoint and returns
// both. "" is the hosted service. A trailing slash is optional; a path
// ending in /ping is a ping endpoint, one ending in /api/v3 (v1, v2, /api)
// a Management API root, any other path a site root (a sub-path install:
// https://example.org/hc). hc-ping.com and healthchecks.io (also with /ping
// or /api/v3) are the hosted pair. A password in the URL is kept: a server
// behind basic auth needs it.
//
// A ping endpoint on a host of its own that answers at "/" (as hc-ping.com
// does) is not told from a site root: such a server is reached with a full
// ping URL instead.
func ResolveURL(raw string) (Endpoints, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Endpoints{Site: hostedSite, Ping: hostedPing}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return Endpoints{}, &URLError{URL: hideUserinfo(s), Reason: "is not an http(s) URL"}
	}
	shown := hideUserinfo(s)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return Endpoints{}, &URLError{URL: shown, Reason: "is not an http(s) URL"}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return Endpoints{}, &URLError{URL: shown, Reason: "has a query or fragment: give the site root or the ping endpoint"}
	}
	p := strings.TrimRight(u.Path, "/")
	site := p
	for _, suffix := range []string{"/ping", "/api/v3", "/api/v2", "/api/v1", "/api"} {
		if cut, ok := strings.CutSuffix(p, suffix); ok {
			site = strings.TrimRight(cut, "/")
			break
		}
	}
	ping := site + "/ping"
	switch host := strings.ToLower(u.Hostname()); {
	case host == "hc-ping.com" && p == "", host == "healthchecks.io" && site == "":
		return Endpoints{Site: hostedSite, Ping: hostedPing}, nil
	}
	return Endpoints{Site: withPath(u, site), Ping: withPath(u, ping)}, nil
}

func withPath(u *url.URL, p string) string {
	v := *u
	v.Path, v.RawPath = p, ""
	return v.String()
}

// hideUserinfo hides what may be a password: anything before the last "@"
// after the scheme.
func hideUserinfo(s string) string {
	scheme, rest := "", s
	if i := strings.Index(s, "://"); i > 0 && strings.IndexFunc(s[:i], notSchemeChar) < 0 {
		scheme, rest = s[:i+3], s[i+3:]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = "…" + rest[i:]
	}
	return scheme + rest
}

func notSchemeChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')
}

// shownURL is s for messages: no password, no query.
func shownURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "…"
	}
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return strings.TrimRight(v.String(), "/")
}
