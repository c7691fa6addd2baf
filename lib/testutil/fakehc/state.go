package fakehc

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
)

// check is one check's stored state, as Healthchecks' Check model holds it.
type check struct {
	uuid         string
	foreign      bool // belongs to another project: the API answers 403
	name, slug   string
	tags, desc   string
	kind         string // "simple" or "cron"
	timeout      time.Duration
	grace        time.Duration
	schedule, tz string
	manualResume bool
	methods      string
	startKW      string
	successKW    string
	failureKW    string
	filterSubj   bool
	filterBody   bool
	channels     map[string]bool

	status       string // stored: new, up, down, paused
	nPings       int
	lastPing     time.Time
	lastStart    time.Time
	lastStartRID *string
	lastDuration time.Duration
	pings        []*Ping
	flips        []Flip
}

// Ping is one recorded ping event.
type Ping struct {
	N          int
	Kind       string // success, start, fail, log, ign
	Time       time.Time
	Scheme     string
	RemoteAddr string
	Method     string
	UserAgent  string
	RID        *string // nil when the ping had no rid
	Body       []byte  // stored part (at most Ping-Body-Limit bytes); nil when empty
	BodySize   int     // bytes received
	ExitStatus *int    // for /<code> pings; v2.10's pings list does not show it
	Slug       bool    // pinged by /<ping-key>/<slug>
	Duration   *time.Duration
}

// Flip is one status change.
type Flip struct {
	Time time.Time
	Up   bool
}

// CheckInfo is a snapshot of a check for tests.
type CheckInfo struct {
	UUID, Name, Slug, Tags, Desc string
	Status                       string // derived, as the API reports it
	Started                      bool
	NPings                       int
	Timeout, Grace               time.Duration
	Schedule, TZ                 string
	Channels                     []string
	Pings                        []Ping
	Flips                        []Flip
}

func newCheck(uuid string) *check {
	return &check{
		uuid:     uuid,
		kind:     "simple",
		timeout:  86400 * time.Second,
		grace:    3600 * time.Second,
		tz:       "UTC",
		status:   "new",
		channels: map[string]bool{},
	}
}

// uniqueKey is sha1 of the first 16 hex digits of the UUID (v2.10
// Check.unique_key; the captures' a0fd04db... for 11111111-1111-4111-...).
func (c *check) uniqueKey() string {
	h := strings.ReplaceAll(c.uuid, "-", "")
	if len(h) > 16 {
		h = h[:16]
	}
	s := sha1.Sum([]byte(h))
	return hex.EncodeToString(s[:])
}

func (c *check) tagList() []string { return strings.Fields(c.tags) }

func (c *check) hasTags(want []string) bool {
	have := c.tagList()
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (c *check) started() bool { return !c.lastStart.IsZero() }

// graceStart is when the check is next expected (Check.get_grace_start):
// last ping plus timeout, or the next cron time after the last ping in tz;
// with withStarted, a run in progress is watched from its start. Zero for
// new and paused.
func (c *check) graceStart(withStarted bool) time.Time {
	if c.status == "new" || c.status == "paused" || c.lastPing.IsZero() {
		return time.Time{}
	}
	var t time.Time
	if c.kind == "cron" {
		loc, err := time.LoadLocation(c.tz)
		if err != nil {
			loc = time.UTC
		}
		if s, err := cron.ParseAny(c.schedule); err == nil { // cron or OnCalendar (v3.1+)
			t = s.Next(c.lastPing.In(loc)).UTC()
		}
		if t.IsZero() {
			t = c.lastPing.Add(100 * 365 * 24 * time.Hour)
		}
	} else {
		t = c.lastPing.Add(c.timeout)
	}
	if withStarted && c.started() && c.status != "down" && c.lastStart.Before(t) {
		t = c.lastStart
	}
	return t
}

// derivedStatus is Check.get_status: stored new, paused and down stand;
// otherwise up, grace or down by the clock, not counting a run in progress
// (the capture shows "up" while started, past next_ping). A run that
// overran its grace is down: the real server's sendalerts stores that.
func (c *check) derivedStatus(now time.Time) string {
	switch c.status {
	case "new", "paused", "down":
		return c.status
	}
	if gs := c.graceStart(true); !gs.IsZero() && !now.Before(gs.Add(c.grace)) {
		return "down"
	}
	gs := c.graceStart(false)
	if gs.IsZero() {
		return c.status
	}
	if !now.Before(gs.Add(c.grace)) {
		return "down"
	}
	if !now.Before(gs) {
		return "grace"
	}
	return "up"
}

// sweep does what the server's sendalerts loop does, lazily: a check that
// is up and whose grace time ran out (for a run in progress: its start plus
// grace) is stored as down, with a flip at that moment.
func (c *check) sweep(now time.Time) {
	if c.status != "up" {
		return
	}
	gs := c.graceStart(true)
	if gs.IsZero() {
		return
	}
	if end := gs.Add(c.grace); !now.Before(end) {
		c.flip(end, "down")
		c.status = "down"
	}
}

// sweepLocked sweeps every check; f.mu must be held.
func (f *Fake) sweepLocked(now time.Time) {
	for _, c := range f.checks {
		c.sweep(now)
	}
}

func (c *check) channelList() []string {
	out := make([]string, 0, len(c.channels))
	for id := range c.channels {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// isoSeconds is Healthchecks' isostring: UTC, whole seconds, "+00:00".
func isoSeconds(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05") + "+00:00"
}

// isoMicro is Python's datetime.isoformat(): microseconds unless zero.
func isoMicro(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05") + "+00:00"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "+00:00"
}

// toDict is Check.to_dict of v2.10 with the fields in its order: a
// read-only key gets unique_key instead of the URLs and channels.
func (c *check) toDict(base string, now time.Time, readonly bool) obj {
	subject, subjectFail := "", ""
	if c.filterSubj {
		subject, subjectFail = c.successKW, c.failureKW
	}
	o := obj{
		{"name", c.name},
		{"slug", c.slug},
		{"tags", c.tags},
		{"desc", c.desc},
		{"grace", int64(c.grace / time.Second)},
		{"n_pings", c.nPings},
		{"status", c.derivedStatus(now)},
		{"started", c.started()},
		{"last_ping", isoSeconds(c.lastPing)},
		{"next_ping", isoSeconds(c.graceStart(true))},
		{"manual_resume", c.manualResume},
		{"methods", c.methods},
		{"subject", subject},
		{"subject_fail", subjectFail},
		{"start_kw", c.startKW},
		{"success_kw", c.successKW},
		{"failure_kw", c.failureKW},
		{"filter_subject", c.filterSubj},
		{"filter_body", c.filterBody},
	}
	if c.lastDuration > 0 { // Python: a non-zero timedelta is true
		o = append(o, kv{"last_duration", int64(c.lastDuration / time.Second)})
	}
	if readonly {
		o = append(o, kv{"unique_key", c.uniqueKey()})
	} else {
		api := base + "/api/v3/checks/" + c.uuid
		o = append(o,
			kv{"ping_url", base + "/ping/" + c.uuid},
			kv{"update_url", api},
			kv{"pause_url", api + "/pause"},
			kv{"resume_url", api + "/resume"},
			kv{"channels", strings.Join(c.channelList(), ",")},
		)
	}
	if c.kind == "cron" {
		o = append(o, kv{"schedule", c.schedule}, kv{"tz", c.tz})
	} else {
		o = append(o, kv{"timeout", int64(c.timeout / time.Second)})
	}
	return o
}

// pingDict is Ping.to_dict of v2.10.
func (p *Ping) toDict(base, uuid string) obj {
	var bodyURL any
	if p.Body != nil {
		bodyURL = fmt.Sprintf("%s/api/v3/checks/%s/pings/%d/body", base, uuid, p.N)
	}
	var rid any
	if p.RID != nil {
		rid = *p.RID
	}
	o := obj{
		{"type", p.Kind},
		{"date", isoMicro(p.Time)},
		{"n", p.N},
		{"scheme", p.Scheme},
		{"remote_addr", p.RemoteAddr},
		{"method", p.Method},
		{"ua", p.UserAgent},
		{"rid", rid},
		{"body_url", bodyURL},
	}
	if p.Duration != nil {
		o = append(o, kv{"duration", pyFloat(p.Duration.Round(time.Microsecond).Seconds())})
	}
	return o
}

// maxDuration bounds how far back a start is paired with its end (v2.10:
// 72 hours).
const maxDuration = 72 * time.Hour

// durationOf is Ping.duration: for a success or fail, the time since the
// latest earlier success/fail/start event with the same rid, if that event
// is a start.
func (c *check) durationOf(p *Ping) *time.Duration {
	if p.Kind != "success" && p.Kind != "fail" {
		return nil
	}
	for i := len(c.pings) - 1; i >= 0; i-- {
		q := c.pings[i]
		if q.N >= p.N || q.Kind == "log" || q.Kind == "ign" || !sameRID(q.RID, p.RID) {
			continue
		}
		if p.Time.Sub(q.Time) > maxDuration {
			return nil
		}
		if q.Kind == "start" {
			d := p.Time.Sub(q.Time)
			return &d
		}
		return nil
	}
	return nil
}

func sameRID(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func (c *check) flip(now time.Time, to string) {
	c.flips = append(c.flips, Flip{Time: now, Up: to == "up"})
}

// ping applies one event (Check.ping of v2.10).
func (c *check) ping(p *Ping, logLimit int) {
	now := p.Time
	if c.status == "paused" && c.manualResume {
		p.Kind = "ign"
	}
	switch p.Kind {
	case "start":
		c.lastStart = now
		c.lastStartRID = p.RID
	case "success", "fail":
		if c.started() && sameRID(c.lastStartRID, p.RID) {
			c.lastStart = time.Time{}
			c.lastStartRID = nil
		}
		c.lastPing = now
		to := "up"
		if p.Kind == "fail" {
			to = "down"
		}
		if c.status != to {
			c.flip(now, to)
			c.status = to
		}
	}
	c.nPings++
	p.N = c.nPings
	p.Duration = c.durationOf(p)
	if p.Kind == "success" || p.Kind == "fail" {
		c.lastDuration = 0
		if p.Duration != nil {
			c.lastDuration = *p.Duration
		}
	}
	c.pings = append(c.pings, p)
	// Keep a bounded log: the API never lists more than 1000.
	if keep := max(logLimit, 1000); len(c.pings) > keep {
		c.pings = append([]*Ping(nil), c.pings[len(c.pings)-keep:]...)
	}
}

func (c *check) info(now time.Time) CheckInfo {
	ci := CheckInfo{
		UUID: c.uuid, Name: c.name, Slug: c.slug, Tags: c.tags, Desc: c.desc,
		Status: c.derivedStatus(now), Started: c.started(), NPings: c.nPings,
		Grace: c.grace, Channels: c.channelList(),
	}
	if c.kind == "cron" {
		ci.Schedule, ci.TZ = c.schedule, c.tz
	} else {
		ci.Timeout = c.timeout
	}
	for _, p := range c.pings {
		ci.Pings = append(ci.Pings, *p)
	}
	ci.Flips = append(ci.Flips, c.flips...)
	return ci
}

// Spec seeds a check directly (no request, not counted). Zero Timeout and
// Grace take the API's defaults (1 day, 1 hour).
type Spec struct {
	Name, Slug, Tags, Desc string
	Timeout, Grace         time.Duration
	Schedule, TZ           string
	ManualResume           bool
	Methods                string
	AllChannels            bool
	// Foreign puts the check in another project: the Management API answers
	// 403 for it and does not list it; pings to it still work.
	Foreign bool
	UUID    string // default: the next generated UUID
}

// AddCheck stores a check and returns its UUID.
func (f *Fake) AddCheck(s Spec) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := s.UUID
	if id == "" {
		id = f.newUUID()
	}
	c := newCheck(id)
	c.name, c.slug, c.tags, c.desc = s.Name, s.Slug, s.Tags, s.Desc
	if s.Timeout > 0 {
		c.timeout = s.Timeout
	}
	if s.Grace > 0 {
		c.grace = s.Grace
	}
	if s.Schedule != "" {
		c.kind, c.schedule = "cron", s.Schedule
	}
	if s.TZ != "" {
		c.tz = s.TZ
	}
	c.manualResume, c.methods, c.foreign = s.ManualResume, s.Methods, s.Foreign
	if s.AllChannels {
		for _, ch := range f.opts.Channels {
			c.channels[ch.ID] = true
		}
	}
	f.addLocked(c)
	return id
}

func (f *Fake) addLocked(c *check) {
	f.checks = append(f.checks, c)
	f.byUUID[c.uuid] = c
	f.notify()
}

func (f *Fake) removeLocked(c *check) {
	delete(f.byUUID, c.uuid)
	for i, x := range f.checks {
		if x == c {
			f.checks = append(f.checks[:i], f.checks[i+1:]...)
			break
		}
	}
	f.notify()
}

func (f *Fake) newUUID() string {
	if f.opts.NewUUID != nil {
		return f.opts.NewUUID()
	}
	for {
		f.nextUUID++
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", f.nextUUID, f.nextUUID)
		if _, taken := f.byUUID[id]; !taken {
			return id
		}
	}
}

// Check returns a snapshot of the check with this UUID.
func (f *Fake) Check(uuid string) (CheckInfo, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.byUUID[uuid]
	if !ok {
		return CheckInfo{}, false
	}
	now := f.opts.Now()
	f.sweepLocked(now)
	return c.info(now), true
}

// Checks returns snapshots of the project's checks in list order.
func (f *Fake) Checks() []CheckInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.opts.Now()
	f.sweepLocked(now)
	var out []CheckInfo
	for _, c := range f.checks {
		if !c.foreign {
			out = append(out, c.info(now))
		}
	}
	return out
}

// UUIDBySlug returns the UUID of the one check with this slug.
func (f *Fake) UUIDBySlug(slug string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var found []*check
	for _, c := range f.checks {
		if c.slug == slug && !c.foreign {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0].uuid, true
}

// Pings returns the recorded pings of a check, oldest first.
func (f *Fake) Pings(uuid string) []Ping {
	ci, _ := f.Check(uuid)
	return ci.Pings
}

// AllPings returns every recorded ping of every check, in arrival order of
// each check, checks in list order.
func (f *Fake) AllPings() []Ping {
	var out []Ping
	for _, c := range f.Checks() {
		out = append(out, c.Pings...)
	}
	return out
}
