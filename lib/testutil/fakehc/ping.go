package fakehc

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Django's path converters in Healthchecks' urls.py: <uuid:code> is lower
// case only; <slug:…> is [-a-zA-Z0-9_]+; <int:…> is [0-9]+.
var (
	uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	slugRe = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)
	intRe  = regexp.MustCompile(`^[0-9]+$`)
	// rid: upper case too, as servers since v3.10 take it (v2.10 did not).
	ridRe    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	sha1Re   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	actionOf = map[string]string{"start": "start", "fail": "fail", "log": "log"}
)

// pingRoute is a parsed /ping/ path.
type pingRoute struct {
	uuid      string // by UUID
	key, slug string // by ping key and slug
	action    string // success, start, fail, log
	exit      *int
	exitBig   bool // an <int> over 255
}

// parsePingPath matches the ping routes of urls.py in their order; ok is
// false when no route matches (Django's HTML 404).
func parsePingPath(p string) (pingRoute, bool) {
	rest := strings.TrimPrefix(p, "/ping/")
	segs := strings.Split(rest, "/")
	// A trailing slash is a route of its own for the bare forms only.
	if n := len(segs); n >= 2 && segs[n-1] == "" && (n == 2 || (n == 3 && !uuidRe.MatchString(segs[0]))) {
		segs = segs[:n-1]
	}
	rt := pingRoute{action: "success"}
	tail := func(s string) bool {
		if a, ok := actionOf[s]; ok {
			rt.action = a
			return true
		}
		if intRe.MatchString(s) {
			n, err := strconv.Atoi(s)
			if err != nil || n > 255 {
				rt.exitBig = true
				return true
			}
			rt.exit = &n
			if n != 0 {
				rt.action = "fail"
			}
			return true
		}
		return false
	}
	switch len(segs) {
	case 1:
		if uuidRe.MatchString(segs[0]) {
			rt.uuid = segs[0]
			return rt, true
		}
	case 2:
		if uuidRe.MatchString(segs[0]) && tail(segs[1]) {
			rt.uuid = segs[0]
			return rt, true
		}
		rt = pingRoute{action: "success"}
		if slugRe.MatchString(segs[0]) && slugRe.MatchString(segs[1]) {
			rt.key, rt.slug = segs[0], segs[1]
			return rt, true
		}
	case 3:
		if slugRe.MatchString(segs[0]) && slugRe.MatchString(segs[1]) && tail(segs[2]) {
			rt.key, rt.slug = segs[0], segs[1]
			return rt, true
		}
	}
	return pingRoute{}, false
}

// neverCache is what Django's never_cache adds to ping()'s responses.
func (f *Fake) neverCache(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Expires", f.opts.Now().UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private")
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// servePing is views.ping and views.ping_by_slug of v2.10.
func (f *Fake) servePing(w http.ResponseWriter, r *http.Request) {
	rt, ok := parsePingPath(r.URL.Path)
	if !ok {
		notFoundPage(w)
		return
	}
	// Read the body before taking the lock; the server reads it all and
	// keeps the first Ping-Body-Limit bytes.
	var body []byte
	if r.Body != nil && r.Method != http.MethodHead {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 64<<20))
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.opts.Now()
	f.sweepLocked(now)
	var c *check
	created := false
	if rt.uuid != "" {
		c = f.byUUID[rt.uuid]
		if c == nil {
			f.neverCache(w)
			plain(w, http.StatusNotFound, "not found")
			return
		}
	} else {
		// ping_by_slug answers its own errors without never_cache headers.
		var found []*check
		if rt.key == f.opts.PingKey {
			for _, x := range f.checks {
				if !x.foreign && x.slug == rt.slug {
					found = append(found, x)
				}
			}
		}
		switch {
		case len(found) > 1:
			plain(w, http.StatusConflict, "ambiguous slug")
			return
		case len(found) == 1:
			c = found[0]
		case rt.key != f.opts.PingKey || r.URL.Query().Get("create") != "1":
			plain(w, http.StatusNotFound, "not found")
			return
		case f.projectChecksLocked() >= 2*f.opts.CheckLimit:
			// v4.3+: auto-provisioning stops at twice the check limit.
			plain(w, http.StatusNotFound, "not found")
			return
		default:
			c = newCheck(f.newUUID())
			c.name, c.slug = rt.slug, rt.slug
			for _, ch := range f.opts.Channels {
				c.channels[ch.ID] = true
			}
			f.addLocked(c)
			created = true
		}
	}

	f.neverCache(w)
	if rt.exitBig {
		plain(w, http.StatusBadRequest, "invalid url format")
		return
	}
	var rid *string
	if vs, has := r.URL.Query()["rid"]; has {
		v := ""
		if len(vs) > 0 {
			v = vs[len(vs)-1]
		}
		if !ridRe.MatchString(v) {
			plain(w, http.StatusBadRequest, "invalid uuid format")
			return
		}
		lv := strings.ToLower(v)
		rid = &lv
	}

	kind := rt.action
	if c.methods == "POST" && r.Method != http.MethodPost {
		kind = "ign"
	}
	p := &Ping{
		Kind:       kind,
		Time:       now,
		Scheme:     "http",
		RemoteAddr: remoteHost(r),
		Method:     r.Method,
		UserAgent:  r.UserAgent(),
		RID:        rid,
		BodySize:   len(body),
		ExitStatus: rt.exit,
		Slug:       rt.slug != "",
	}
	if len(body) > 0 {
		if lim := f.opts.PingBodyLimit; lim > 0 && len(body) > lim {
			body = body[:lim]
		}
		p.Body = body
	}
	c.ping(p, f.opts.PingLogLimit)
	f.notify()

	h := w.Header()
	if f.opts.PingBodyLimit > 0 {
		h.Set("Ping-Body-Limit", strconv.Itoa(f.opts.PingBodyLimit))
	}
	h.Set("Access-Control-Allow-Origin", "*")
	status, msg := http.StatusOK, "OK"
	if created {
		status, msg = http.StatusCreated, "Created"
	}
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		return
	}
	plain(w, status, msg)
}

func (f *Fake) projectChecksLocked() int {
	n := 0
	for _, c := range f.checks {
		if !c.foreign {
			n++
		}
	}
	return n
}

func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
