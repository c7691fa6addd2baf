package fakehc

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
)

// apiRoute is a parsed /api/v3/ path.
type apiRoute struct {
	name    string // status, checks, check, check_uk, pings, body, flips, flips_uk, pause, resume, channels, badges
	methods string // Access-Control-Allow-Methods, in the captures' order
	id      string // check UUID or unique_key
	n       int    // ping number for body
}

func parseAPIPath(p string) (apiRoute, bool) {
	rest := strings.TrimPrefix(p, "/api/v3/")
	switch rest {
	case "status/":
		return apiRoute{name: "status"}, true
	case "checks/":
		return apiRoute{name: "checks", methods: "POST, OPTIONS, GET"}, true
	case "channels/":
		return apiRoute{name: "channels", methods: "OPTIONS, GET"}, true
	case "badges/":
		return apiRoute{name: "badges", methods: "OPTIONS, GET"}, true
	}
	rest, ok := strings.CutPrefix(rest, "checks/")
	if !ok {
		return apiRoute{}, false
	}
	s := strings.Split(rest, "/")
	isUUID, isUK := uuidRe.MatchString(s[0]), sha1Re.MatchString(s[0])
	switch {
	case len(s) == 1 && isUUID:
		return apiRoute{name: "check", methods: "GET, OPTIONS, POST, DELETE", id: s[0]}, true
	case len(s) == 1 && isUK:
		return apiRoute{name: "check_uk", methods: "OPTIONS, GET", id: s[0]}, true
	case len(s) == 2 && isUUID && (s[1] == "pause" || s[1] == "resume"):
		return apiRoute{name: s[1], methods: "OPTIONS, POST", id: s[0]}, true
	case len(s) == 3 && isUUID && s[1] == "pings" && s[2] == "":
		return apiRoute{name: "pings", methods: "OPTIONS, GET", id: s[0]}, true
	case len(s) == 3 && (isUUID || isUK) && s[1] == "flips" && s[2] == "":
		name := "flips"
		if isUK {
			name = "flips_uk"
		}
		return apiRoute{name: name, methods: "OPTIONS, GET", id: s[0]}, true
	case len(s) == 4 && isUUID && s[1] == "pings" && s[3] == "body" && intRe.MatchString(s[2]):
		n, err := strconv.Atoi(s[2])
		if err != nil {
			return apiRoute{}, false
		}
		return apiRoute{name: "body", methods: "OPTIONS, GET", id: s[0], n: n}, true
	}
	return apiRoute{}, false
}

// apiReq is one Management API request being served.
type apiReq struct {
	w        http.ResponseWriter
	r        *http.Request
	rt       apiRoute
	base     string
	json     map[string]any
	readonly bool
}

func (a *apiReq) cors() {
	h := a.w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "X-Api-Key")
	h.Set("Access-Control-Allow-Methods", a.rt.methods)
	h.Set("Access-Control-Max-Age", "600")
}

// jsonResp writes a JsonResponse; CORS headers are already set.
func (a *apiReq) jsonResp(status int, v any) {
	b := pyJSON(v)
	a.w.Header().Set("Content-Type", "application/json")
	a.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	a.w.WriteHeader(status)
	_, _ = a.w.Write(b)
}

// notFound is a raised Http404: Django's page, outside the CORS decorator.
func (a *apiReq) notFound() {
	for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Max-Age"} {
		a.w.Header().Del(h)
	}
	notFoundPage(a.w)
}

func (a *apiReq) errorResp(status int, msg string) {
	a.jsonResp(status, obj{{"error", msg}})
}

// empty answers with no body (HttpResponse(status=...)).
func (a *apiReq) empty(status int) {
	a.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	a.w.Header().Set("Content-Length", "0")
	a.w.WriteHeader(status)
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request, k Kind) {
	rt, ok := parseAPIPath(r.URL.Path)
	if !ok {
		notFoundPage(w)
		return
	}
	if rt.name == "status" {
		plain(w, http.StatusOK, "OK")
		return
	}
	a := &apiReq{w: w, r: r, rt: rt, base: f.baseURL(r)}
	a.cors()
	if r.Method == http.MethodOptions {
		a.empty(http.StatusNoContent)
		return
	}
	if !strings.Contains(rt.methods, r.Method) {
		a.empty(http.StatusMethodNotAllowed)
		return
	}

	// validate_json: parse any body; create and update validate it too.
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	a.json = map[string]any{}
	var raw any
	if len(body) > 0 {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&raw); err != nil || d.More() {
			a.errorResp(http.StatusBadRequest, "could not parse request body")
			return
		}
		if m, isObj := raw.(map[string]any); isObj {
			a.json = m
		}
	}
	write := k.IsWrite() || rt.name == "pings" || rt.name == "body" || rt.name == "channels"
	if k == KindCreate || k == KindUpdate {
		if _, isObj := raw.(map[string]any); len(body) > 0 && !isObj {
			a.errorResp(http.StatusBadRequest, "json validation error: value is not an object")
			return
		}
		if msg := validateSpec(a.json); msg != "" {
			a.errorResp(http.StatusBadRequest, "json validation error: "+msg)
			return
		}
	}

	// authorize / authorize_read: the key is in X-Api-Key, or in a POST's
	// JSON body as api_key.
	key := r.Header.Get("X-Api-Key")
	if r.Method == http.MethodPost {
		if v, has := a.json["api_key"]; has {
			key, _ = v.(string)
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opts.RateLimit > 0 {
		if wait, limited := f.limited(key); limited {
			// Hosted only; the captures have no 429, so its body is empty.
			w.Header().Set("Retry-After", strconv.Itoa(wait))
			a.empty(http.StatusTooManyRequests)
			return
		}
	}
	if len(key) != 32 {
		a.errorResp(http.StatusUnauthorized, "missing api key")
		return
	}
	switch {
	case key == f.opts.APIKey:
	case !write && f.opts.ReadOnlyKey != "" && key == f.opts.ReadOnlyKey:
		a.readonly = true
	default:
		a.errorResp(http.StatusUnauthorized, "wrong api key")
		return
	}

	now := f.opts.Now()
	f.sweepLocked(now)
	switch rt.name {
	case "checks":
		if r.Method == http.MethodPost {
			f.createCheck(a)
		} else {
			f.listChecks(a, now)
		}
	case "channels":
		out := make([]any, 0, len(f.opts.Channels))
		for _, ch := range f.opts.Channels {
			out = append(out, obj{{"id", ch.ID}, {"name", ch.Name}, {"kind", ch.Kind}})
		}
		a.jsonResp(http.StatusOK, obj{{"channels", out}})
	case "badges":
		f.listBadges(a)
	case "check_uk", "flips_uk":
		var c *check
		for _, x := range f.checks {
			if !x.foreign && x.uniqueKey() == rt.id {
				c = x
				break
			}
		}
		if c == nil {
			// The captures have no unknown unique_key; v2.10 answers
			// HttpResponseNotFound() inside the CORS decorator.
			a.empty(http.StatusNotFound)
			return
		}
		if rt.name == "check_uk" {
			a.jsonResp(http.StatusOK, c.toDict(a.base, now, a.readonly))
		} else {
			f.listFlips(a, c, now)
		}
	default:
		c := f.byUUID[rt.id]
		if c == nil {
			a.notFound()
			return
		}
		if c.foreign {
			a.empty(http.StatusForbidden)
			return
		}
		f.serveCheck(a, c, now)
	}
}

func (f *Fake) serveCheck(a *apiReq, c *check, now time.Time) {
	switch a.rt.name {
	case "check":
		switch a.r.Method {
		case http.MethodGet:
			a.jsonResp(http.StatusOK, c.toDict(a.base, now, a.readonly))
		case http.MethodPost:
			if msg := f.update(c, a.json); msg != "" {
				a.errorResp(http.StatusBadRequest, msg)
				return
			}
			f.notify()
			a.jsonResp(http.StatusOK, c.toDict(a.base, now, false))
		case http.MethodDelete:
			d := c.toDict(a.base, now, false)
			f.removeLocked(c)
			a.jsonResp(http.StatusOK, d)
		}
	case "pause":
		if c.status != "paused" {
			c.status = "paused"
			c.lastStart, c.lastStartRID = time.Time{}, nil
			c.flip(now, "paused")
			f.notify()
		}
		a.jsonResp(http.StatusOK, c.toDict(a.base, now, false))
	case "resume":
		if c.status != "paused" {
			a.w.Header().Set("Content-Type", "text/html; charset=utf-8")
			a.w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(a.w, "check is not paused")
			return
		}
		c.status = "new"
		c.lastStart, c.lastStartRID = time.Time{}, nil
		c.lastPing = time.Time{}
		c.flip(now, "new")
		f.notify()
		a.jsonResp(http.StatusOK, c.toDict(a.base, now, false))
	case "pings":
		out := []any{}
		for i := len(c.pings) - 1; i >= 0 && len(out) < min(f.opts.PingLogLimit, 1000); i-- {
			out = append(out, c.pings[i].toDict(a.base, c.uuid))
		}
		a.jsonResp(http.StatusOK, obj{{"pings", out}})
	case "body":
		for _, p := range c.pings {
			if p.N == a.rt.n && p.Body != nil {
				a.w.Header().Set("Content-Type", "text/plain")
				a.w.Header().Set("Content-Length", strconv.Itoa(len(p.Body)))
				a.w.WriteHeader(http.StatusOK)
				_, _ = a.w.Write(p.Body)
				return
			}
		}
		a.notFound()
	case "flips":
		f.listFlips(a, c, now)
	}
}

func (f *Fake) listChecks(a *apiReq, now time.Time) {
	q := a.r.URL.Query()
	tags := q["tag"]
	slug, bySlug := q["slug"]
	out := []any{}
	for _, c := range f.checks {
		if c.foreign || !c.hasTags(tags) {
			continue
		}
		if bySlug && c.slug != slug[len(slug)-1] {
			continue
		}
		out = append(out, c.toDict(a.base, now, a.readonly))
	}
	a.jsonResp(http.StatusOK, obj{{"checks", out}})
}

// createCheck is views.create_check: `unique` finds an existing check to
// update (200), otherwise a new one is made (201) unless the project is full
// (403, empty body).
func (f *Fake) createCheck(a *apiReq) {
	c := f.lookupUnique(a.json)
	created := false
	if c == nil {
		if f.projectChecksLocked() >= f.opts.CheckLimit {
			a.empty(http.StatusForbidden)
			return
		}
		c = newCheck("")
		created = true
	}
	if msg := f.update(c, a.json); msg != "" {
		a.errorResp(http.StatusBadRequest, msg)
		return
	}
	status := http.StatusOK
	if created {
		c.uuid = f.newUUID() // only a saved check takes a UUID
		f.addLocked(c)
		status = http.StatusCreated
	} else {
		f.notify()
	}
	a.jsonResp(status, c.toDict(a.base, f.opts.Now(), false))
}

func (f *Fake) lookupUnique(spec map[string]any) *check {
	u, _ := spec["unique"].([]any)
	if len(u) == 0 {
		return nil
	}
	for _, c := range f.checks {
		if c.foreign {
			continue
		}
		match := true
		for _, fld := range u {
			name, _ := fld.(string)
			v, has := spec[name]
			if !has {
				match = false
				break
			}
			switch name {
			case "name":
				match = v == c.name
			case "slug":
				match = v == c.slug
			case "tags":
				match = v == c.tags
			case "timeout":
				n, _ := v.(json.Number).Int64()
				match = time.Duration(n)*time.Second == c.timeout
			case "grace":
				n, _ := v.(json.Number).Int64()
				match = time.Duration(n)*time.Second == c.grace
			}
			if !match {
				break
			}
		}
		if match {
			return c
		}
	}
	return nil
}

// update is views._update: channels are resolved first (an unknown one is a
// 400 and nothing changes), then the given fields are applied. schedule wins
// over timeout when both are given.
func (f *Fake) update(c *check, spec map[string]any) string {
	var newChannels map[string]bool
	if v, has := spec["channels"]; has {
		s := v.(string)
		newChannels = map[string]bool{}
		switch s {
		case "*":
			for _, ch := range f.opts.Channels {
				newChannels[ch.ID] = true
			}
		case "":
		default:
			for _, id := range strings.Split(s, ",") {
				if id == "" {
					return "empty channel identifier"
				}
				matches := f.lookupChannel(id)
				switch len(matches) {
				case 0:
					return "invalid channel identifier: " + id
				case 1:
					newChannels[matches[0]] = true
				default:
					return "non-unique channel identifier: " + id
				}
			}
		}
	}
	str := func(k string, dst *string) {
		if v, has := spec[k]; has {
			*dst = v.(string)
		}
	}
	boolean := func(k string, dst *bool) {
		if v, has := spec[k]; has {
			*dst = v.(bool)
		}
	}
	secs := func(k string) (time.Duration, bool) {
		v, has := spec[k]
		if !has {
			return 0, false
		}
		n, _ := v.(json.Number).Int64()
		return time.Duration(n) * time.Second, true
	}
	str("name", &c.name)
	str("slug", &c.slug)
	str("tags", &c.tags)
	str("desc", &c.desc)
	boolean("manual_resume", &c.manualResume)
	str("methods", &c.methods)
	if _, hasSched := spec["schedule"]; !hasSched {
		if d, ok := secs("timeout"); ok {
			c.kind, c.timeout = "simple", d
		}
	}
	if d, ok := secs("grace"); ok {
		c.grace = d
	}
	if v, has := spec["schedule"]; has {
		c.kind, c.schedule = "cron", v.(string)
	}
	str("tz", &c.tz)
	// Legacy aliases: subject sets success_kw and turns on filter_subject.
	if v, has := spec["subject"]; has {
		c.successKW = v.(string)
		c.filterSubj = c.filterSubj || c.successKW != ""
	}
	if v, has := spec["subject_fail"]; has {
		c.failureKW = v.(string)
		c.filterSubj = c.filterSubj || c.failureKW != ""
	}
	str("start_kw", &c.startKW)
	str("success_kw", &c.successKW)
	str("failure_kw", &c.failureKW)
	boolean("filter_subject", &c.filterSubj)
	boolean("filter_body", &c.filterBody)
	if newChannels != nil {
		c.channels = newChannels
	}
	return ""
}

// The check schema of v2.10 (hc/api/schemas.py), in its property order:
// the first failing property is the one reported.
type prop struct {
	name    string
	typ     string // string, number, boolean, array
	maxLen  int
	pattern *regexp.Regexp
	format  string // cron, timezone
	min     int64
	max     int64
	enum    []string
}

var checkSchema = []prop{
	{name: "name", typ: "string", maxLen: 100},
	{name: "slug", typ: "string", maxLen: 100, pattern: regexp.MustCompile(`^[a-z0-9-_]*$`)},
	{name: "desc", typ: "string"},
	{name: "tags", typ: "string", maxLen: 500},
	{name: "timeout", typ: "number", min: 60, max: 31536000},
	{name: "grace", typ: "number", min: 60, max: 31536000},
	{name: "schedule", typ: "string", maxLen: 100, format: "cron"},
	{name: "tz", typ: "string", maxLen: 100, format: "timezone"},
	{name: "channels", typ: "string"},
	{name: "manual_resume", typ: "boolean"},
	{name: "methods", typ: "string", enum: []string{"", "POST"}},
	{name: "subject", typ: "string", maxLen: 200},
	{name: "subject_fail", typ: "string", maxLen: 200},
	{name: "start_kw", typ: "string", maxLen: 200},
	{name: "success_kw", typ: "string", maxLen: 200},
	{name: "failure_kw", typ: "string", maxLen: 200},
	{name: "filter_subject", typ: "boolean"},
	{name: "filter_body", typ: "boolean"},
	{name: "unique", typ: "array", enum: []string{"name", "tags", "timeout", "grace", "slug"}},
}

// validateSpec returns the hc/lib/jsonschema.py message for the first
// invalid property, or "".
func validateSpec(spec map[string]any) string {
	for _, p := range checkSchema {
		v, has := spec[p.name]
		if !has {
			continue
		}
		switch p.typ {
		case "string":
			s, ok := v.(string)
			if !ok {
				return p.name + " is not a string"
			}
			if p.maxLen > 0 && len([]rune(s)) > p.maxLen {
				return p.name + " is too long"
			}
			if p.pattern != nil && !p.pattern.MatchString(s) {
				return p.name + " does not match pattern"
			}
			switch p.format {
			case "cron":
				// cronsim wants exactly five fields: it has no @-macros
				// ("@daily" is one field, "Wrong number of fields").
				// A valid OnCalendar schedule is taken as v3.1+ takes it
				// (guess_kind: anything but one line of five fields;
				// oncalendar.md "Healthchecks"); anything invalid keeps
				// v2.10's answer, which the captures hold.
				if cron.Kind(s) == "oncalendar" && !strings.HasPrefix(strings.TrimSpace(s), "@") {
					if e, err := cron.ParseAny(s); err == nil && !e.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
						break
					}
				}
				if _, err := cron.Parse(s); err != nil || len(strings.Fields(s)) != 5 {
					return p.name + " is not a valid cron expression"
				}
			case "timezone":
				if !validTZ(s) {
					return p.name + " is not a valid timezone"
				}
			}
			if p.enum != nil && !contains(p.enum, s) {
				return p.name + " has unexpected value"
			}
		case "number":
			n, ok := v.(json.Number)
			if !ok {
				return p.name + " is not a number"
			}
			i, err := n.Int64()
			if err != nil {
				fl, ferr := n.Float64()
				if ferr != nil || fl != math.Trunc(fl) {
					return p.name + " is not a number"
				}
				i = int64(fl)
			}
			if i < p.min {
				return p.name + " is too small"
			}
			if i > p.max {
				return p.name + " is too large"
			}
			spec[p.name] = json.Number(strconv.FormatInt(i, 10))
		case "boolean":
			if _, ok := v.(bool); !ok {
				return p.name + " is not a boolean"
			}
		case "array":
			items, ok := v.([]any)
			if !ok {
				return p.name + " is not an array"
			}
			for _, it := range items {
				s, isStr := it.(string)
				if !isStr || !contains(p.enum, s) {
					return "an item in '" + p.name + "' has unexpected value"
				}
			}
		}
	}
	return ""
}

func validTZ(s string) bool {
	if s == "" || s == "Local" || strings.HasPrefix(s, "/") || strings.Contains(s, "..") {
		return false
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// listFlips is views.flips: newest first, filtered by seconds, start, end
// (non-negative integers; anything else is a 400 with an empty body).
func (f *Fake) listFlips(a *apiReq, c *check, now time.Time) {
	q := a.r.URL.Query()
	var from, to time.Time
	for _, name := range []string{"seconds", "start", "end"} {
		v := q.Get(name)
		if _, has := q[name]; !has || v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || (name == "seconds" && n > 31536000) {
			a.empty(http.StatusBadRequest)
			return
		}
		switch name {
		case "seconds":
			if n > 0 {
				from = now.Add(-time.Duration(n) * time.Second)
			}
		case "start":
			from = time.Unix(n, 0)
		case "end":
			to = time.Unix(n, 0)
		}
	}
	out := []any{}
	for i := len(c.flips) - 1; i >= 0; i-- {
		fl := c.flips[i]
		if (!from.IsZero() && fl.Time.Before(from)) || (!to.IsZero() && !fl.Time.Before(to)) {
			continue
		}
		up := 0
		if fl.Up {
			up = 1
		}
		out = append(out, obj{{"timestamp", isoSeconds(fl.Time)}, {"up", up}})
	}
	a.jsonResp(http.StatusOK, obj{{"flips", out}})
}

// badgeSig stands in for the server's HMAC signature: 8 URL-safe chars.
func (f *Fake) badgeSig(tag string) string {
	s := sha256.Sum256([]byte(f.opts.BadgeKey + "/" + tag))
	return base64.RawURLEncoding.EncodeToString(s[:])[:8]
}

func (f *Fake) badgeURL(base, tag, format string, withLate bool) string {
	sig := f.badgeSig(tag)
	if !withLate {
		sig += "-2"
	}
	if tag == "*" {
		return fmt.Sprintf("%s/badge/%s/%s.%s", base, f.opts.BadgeKey, sig, format)
	}
	return fmt.Sprintf("%s/badge/%s/%s/%s.%s", base, f.opts.BadgeKey, sig, tag, format)
}

// listBadges is views.badges: one entry per tag in use, and "*".
func (f *Fake) listBadges(a *apiReq) {
	seen := map[string]bool{}
	var tags []string
	for _, c := range f.checks {
		for _, t := range c.tagList() {
			if !c.foreign && !seen[t] {
				seen[t] = true
				tags = append(tags, t)
			}
		}
	}
	sort.Strings(tags)
	tags = append(tags, "*")
	var o obj
	for _, t := range tags {
		o = append(o, kv{t, obj{
			{"svg", f.badgeURL(a.base, t, "svg", false)},
			{"svg3", f.badgeURL(a.base, t, "svg", true)},
			{"json", f.badgeURL(a.base, t, "json", false)},
			{"json3", f.badgeURL(a.base, t, "json", true)},
			{"shields", f.badgeURL(a.base, t, "shields", false)},
			{"shields3", f.badgeURL(a.base, t, "shields", true)},
		}})
	}
	if o == nil {
		o = obj{}
	}
	a.jsonResp(http.StatusOK, obj{{"badges", o}})
}

// serveBadge answers the badge URLs listBadges hands out (no API key).
func (f *Fake) serveBadge(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/badge/"+f.opts.BadgeKey+"/")
	if rest == r.URL.Path {
		notFoundPage(w)
		return
	}
	sigPart, tagPart, hasTag := strings.Cut(rest, "/")
	if !hasTag {
		sigPart, tagPart = strings.TrimSuffix(sigPart, "."+extOf(sigPart)), "*."+extOf(sigPart)
	}
	format := extOf(tagPart)
	tag := strings.TrimSuffix(tagPart, "."+format)
	withLate := !strings.HasSuffix(sigPart, "-2")
	if strings.TrimSuffix(sigPart, "-2") != f.badgeSig(tag) {
		notFoundPage(w)
		return
	}
	f.mu.Lock()
	now := f.opts.Now()
	f.sweepLocked(now)
	status, total, grace, down := "up", 0, 0, 0
	for _, c := range f.checks {
		if c.foreign || (tag != "*" && !c.hasTags([]string{tag})) {
			continue
		}
		total++
		switch c.derivedStatus(now) {
		case "down":
			down++
			status = "down"
		case "grace":
			grace++
			if withLate && status != "down" {
				status = "late"
			}
		}
	}
	f.neverCache(w)
	f.mu.Unlock()
	a := &apiReq{w: w, r: r, rt: apiRoute{methods: "OPTIONS, GET"}}
	a.cors()
	label := tag
	if tag == "*" {
		label = "status"
	}
	switch format {
	case "json":
		a.jsonResp(http.StatusOK, obj{{"status", status}, {"total", total}, {"grace", grace}, {"down", down}})
	case "shields":
		color := map[string]string{"up": "success", "late": "important", "down": "critical"}[status]
		a.jsonResp(http.StatusOK, obj{{"schemaVersion", 1}, {"label", label}, {"message", status}, {"color", color}})
	case "svg":
		w.Header().Set("Content-Type", "image/svg+xml")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="90" height="20"><text x="4" y="14">%s: %s</text></svg>`, label, status)
	default:
		notFoundPage(w)
	}
}

func extOf(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// baseURL is the site root as the client reached it: URLs in bodies point
// back at the fake.
func (f *Fake) baseURL(r *http.Request) string {
	return "http://" + r.Host + f.opts.SitePath
}

// window is one key's fixed rate-limit window.
type window struct {
	start time.Time
	n     int
}

// limited counts a request of key and says whether it is over the limit and
// how many seconds remain in the window; f.mu must be held.
func (f *Fake) limited(key string) (int, bool) {
	now := f.opts.Now()
	wd := f.rate[key]
	if wd == nil || now.Sub(wd.start) >= f.opts.RateWindow {
		wd = &window{start: now}
		f.rate[key] = wd
	}
	wd.n++
	if wd.n <= f.opts.RateLimit {
		return 0, false
	}
	left := wd.start.Add(f.opts.RateWindow).Sub(now)
	return max(1, int(math.Ceil(left.Seconds()))), true
}
