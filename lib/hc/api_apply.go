package hc

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
	"go.yaml.in/yaml/v3"
)

// Desired is one check as a checks file declares it.
type Desired struct {
	Spec CheckSpec // the fields the file sets; Name is always set
	Line int       // line in the file, for messages
}

// Name returns the desired check's name.
func (d Desired) Name() string { return *d.Spec.Name }

// FileError is a problem at a line of a checks file: "checks.yaml:12: ...".
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// ParseChecksFile reads a checks file: YAML or JSON, either a list of
// checks or {"checks": [...]} (beside which keys starting with x- are
// ignored, to hold YAML anchors; merge keys "<<: *anchor" work in checks). Each check is a map of API field names;
// timeout (or period) and grace take seconds or durations ("10m", "7d");
// tags and channels take a string or a list. Unknown fields are errors, so
// typos do not silently drop a setting. Schedules are validated with
// lib/cron and periods against the API's range.
func ParseChecksFile(file string, data []byte) ([]Desired, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &FileError{File: file, Msg: yamlMsg(err)}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, &FileError{File: file, Msg: "no checks in the file"}
	}
	doc := root.Content[0]
	list := doc
	if doc.Kind == yaml.MappingNode {
		list = nil
		for i := 0; i+1 < len(doc.Content); i += 2 {
			k := doc.Content[i]
			if strings.HasPrefix(k.Value, "x-") {
				continue // a place for anchors to merge: x-defaults: &defaults
			}
			if k.Value != "checks" {
				return nil, &FileError{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown top-level key %q (want checks)", k.Value)}
			}
			list = deref(doc.Content[i+1])
		}
		if list == nil {
			return nil, &FileError{File: file, Line: doc.Line, Msg: "no checks key"}
		}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &FileError{File: file, Line: list.Line, Msg: "checks must be a list"}
	}
	var out []Desired
	seen := map[string]int{}
	for _, n := range list.Content {
		d, err := parseDesired(n)
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				fe.File = file
				return nil, fe
			}
			return nil, &FileError{File: file, Line: n.Line, Msg: err.Error()}
		}
		if prev, dup := seen[d.Name()]; dup {
			return nil, &FileError{File: file, Line: n.Line, Msg: fmt.Sprintf("check %q is declared twice (first at line %d); names are the key", d.Name(), prev)}
		}
		seen[d.Name()] = n.Line
		out = append(out, d)
	}
	return out, nil
}

func yamlMsg(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// deref follows YAML aliases (*name) to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// checkFields returns the key/value pairs of a check's mapping with YAML
// merge keys ("<<: *defaults", the way playbooks share settings) expanded:
// the check's own keys win, then earlier merged maps over later ones.
func checkFields(n *yaml.Node) ([][2]*yaml.Node, error) {
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Tag != "!!merge" {
			own = append(own, [2]*yaml.Node{k, deref(n.Content[i+1])})
			seen[k.Value] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Tag != "!!merge" {
			continue
		}
		srcs := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			srcs = v.Content
		}
		for _, src := range srcs {
			src = deref(src)
			if src.Kind != yaml.MappingNode {
				return nil, &FileError{Line: k.Line, Msg: "<<: want a map (or a list of maps) to merge"}
			}
			for j := 0; j+1 < len(src.Content); j += 2 {
				mk := src.Content[j]
				if mk.Tag == "!!merge" || seen[mk.Value] {
					continue
				}
				seen[mk.Value] = true
				merged = append(merged, [2]*yaml.Node{mk, deref(src.Content[j+1])})
			}
		}
	}
	return append(own, merged...), nil
}

func parseDesired(n *yaml.Node) (Desired, error) {
	n = deref(n)
	d := Desired{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return d, &FileError{Line: n.Line, Msg: "a check must be a map of fields (name, schedule, grace, ...)"}
	}
	fields, err := checkFields(n)
	if err != nil {
		return d, err
	}
	s := &d.Spec
	for _, kv := range fields {
		k, v := kv[0], kv[1]
		fail := func(format string, args ...any) error {
			return &FileError{Line: v.Line, Msg: k.Value + ": " + fmt.Sprintf(format, args...)}
		}
		str := func() (*string, error) {
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return nil, fail("want a string")
			}
			x := v.Value
			return &x, nil
		}
		boolean := func() (*bool, error) {
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
				return nil, fail("want true or false, got %q", v.Value)
			}
			return &b, nil
		}
		list := func(sep string) (*string, error) {
			if v.Kind == yaml.SequenceNode {
				var items []string
				for _, it := range v.Content {
					if it.Kind != yaml.ScalarNode {
						return nil, fail("want a list of strings")
					}
					items = append(items, it.Value)
				}
				x := strings.Join(items, sep)
				return &x, nil
			}
			return str()
		}
		period := func() (*int64, error) {
			if v.Kind != yaml.ScalarNode {
				return nil, fail("want seconds or a duration such as 10m")
			}
			secs, err := ParseSeconds(v.Value)
			if err != nil {
				return nil, fail("%v", err)
			}
			if err := CheckPeriod(k.Value, secs); err != nil {
				return nil, &FileError{Line: v.Line, Msg: err.Error()}
			}
			return &secs, nil
		}
		var err error
		switch k.Value {
		case "name":
			s.Name, err = str()
		case "slug":
			s.Slug, err = str()
		case "tags":
			s.Tags, err = list(" ")
		case "desc":
			s.Desc, err = str()
		case "timeout", "period":
			s.Timeout, err = period()
		case "grace":
			s.Grace, err = period()
		case "schedule":
			s.Schedule, err = str()
		case "tz":
			s.TZ, err = str()
		case "manual_resume":
			s.ManualResume, err = boolean()
		case "methods":
			s.Methods, err = str()
		case "channels":
			// The server splits on "," and does not trim: "a, b" would
			// name " b". Send what the user meant.
			if s.Channels, err = list(","); err == nil {
				items := strings.Split(*s.Channels, ",")
				for i := range items {
					items[i] = strings.TrimSpace(items[i])
				}
				x := strings.Join(items, ",")
				s.Channels = &x
			}
		case "subject":
			s.Subject, err = str()
		case "subject_fail":
			s.SubjectFail, err = str()
		case "start_kw":
			s.StartKW, err = str()
		case "success_kw":
			s.SuccessKW, err = str()
		case "failure_kw":
			s.FailureKW, err = str()
		case "filter_subject":
			s.FilterSubject, err = boolean()
		case "filter_body":
			s.FilterBody, err = boolean()
		default:
			return d, &FileError{Line: k.Line, Msg: fmt.Sprintf("unknown field %q", k.Value)}
		}
		if err != nil {
			return d, err
		}
	}
	if s.Name == nil || *s.Name == "" {
		return d, &FileError{Line: n.Line, Msg: "a check needs a name (the name is how apply finds it)"}
	}
	if err := ValidateSpec(s); err != nil {
		return d, &FileError{Line: n.Line, Msg: fmt.Sprintf("check %q: %v", *s.Name, err)}
	}
	return d, nil
}

// ValidateSpec checks a spec locally before anything is sent: the cron
// expression (one that can never fire, such as "0 0 31 2 *", is refused),
// the time zone, the slug pattern, methods and the periods.
func ValidateSpec(s *CheckSpec) error {
	if s.Name != nil && len([]rune(*s.Name)) > 100 {
		return errors.New("name is longer than 100 characters")
	}
	if s.Slug != nil {
		for _, r := range *s.Slug {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("slug %q may hold only a-z, 0-9, - and _", *s.Slug)
			}
		}
	}
	if s.Schedule != nil {
		// Healthchecks (v3.1+) takes a cron expression or OnCalendar lines and
		// tells them apart as cron.Kind does (its guess_kind).
		sched, err := cron.ParseAny(*s.Schedule)
		if err != nil {
			return fmt.Errorf("schedule %q: %v", *s.Schedule, err)
		}
		// Its cron evaluator (cronsim) takes five fields and no @-macros:
		// send a macro expanded.
		if cron.Kind(*s.Schedule) == "cron" && len(strings.Fields(*s.Schedule)) != 5 {
			x := sched.String()
			s.Schedule = &x
		}
	}
	if s.TZ != nil {
		if *s.TZ == "" || *s.TZ == "Local" {
			return fmt.Errorf("tz %q is not an IANA time zone", *s.TZ)
		}
		if _, err := time.LoadLocation(*s.TZ); err != nil {
			return fmt.Errorf("tz %q is not an IANA time zone", *s.TZ)
		}
	}
	if s.Methods != nil && *s.Methods != "" && *s.Methods != "POST" {
		return fmt.Errorf("methods %q: want \"\" or \"POST\"", *s.Methods)
	}
	if s.Timeout != nil {
		if err := CheckPeriod("timeout", *s.Timeout); err != nil {
			return err
		}
	}
	if s.Grace != nil {
		if err := CheckPeriod("grace", *s.Grace); err != nil {
			return err
		}
	}
	return nil
}

// FieldDiff is one field that differs.
type FieldDiff struct {
	Field    string
	Old, New string
}

// Change is one step of a plan.
type Change struct {
	Desired Desired   // for create and update
	Check   Check     // the existing check (update, delete, unchanged)
	Spec    CheckSpec // what is sent (create, update)
	Diffs   []FieldDiff
}

// Name of the check the change is about.
func (c Change) Name() string {
	if c.Desired.Spec.Name != nil {
		return *c.Desired.Spec.Name
	}
	return c.Check.Name
}

// Plan is what apply does.
type Plan struct {
	Create, Update, Delete, Unchanged []Change
}

// Writes is the number of API writes the plan makes.
func (p Plan) Writes() int { return len(p.Create) + len(p.Update) + len(p.Delete) }

// NeedsChannels reports whether planning needs the project's channel list:
// whenever a check names channels, since every name and UUID is checked
// against the project's integrations (the server refuses an unknown one, so
// a dry run must too) and "*" is compared as the set it stands for.
func NeedsChannels(desired []Desired) bool {
	for _, d := range desired {
		if d.Spec.Channels != nil && *d.Spec.Channels != "" {
			return true
		}
	}
	return false
}

// ChannelError is a channels value the server would refuse with a 400
// ("invalid channel identifier: X", "non-unique channel identifier: X",
// "empty channel identifier": healthchecks-captures.md "Unknown channel").
type ChannelError struct {
	Check string // the check's name
	ID    string // the identifier (a UUID or an integration's name)
	// Reason: "unknown", "not unique" or "empty".
	Reason string
}

func (e *ChannelError) Error() string {
	switch e.Reason {
	case "empty":
		return fmt.Sprintf("check %q: channels: an empty channel identifier", e.Check)
	case "not unique":
		return fmt.Sprintf("check %q: channels: %q names more than one integration of the project; use its UUID", e.Check, e.ID)
	}
	return fmt.Sprintf("check %q: channels: the project has no integration %q", e.Check, e.ID)
}

// BadInput: the checks file is the user's to fix (lib/cli: exit 2).
func (e *ChannelError) BadInput() bool { return true }

// PlanOptions tune MakePlan.
type PlanOptions struct {
	Channels  []Channel // the project's channels, when NeedsChannels
	Prune     bool
	PruneTags []string // with Prune: delete checks with all these tags the file does not name
	// Warn receives notes such as "schedule wins over timeout".
	Warn func(format string, args ...any)
}

// MakePlan compares the desired checks with the existing ones (matched by
// exact name) and says what to create, update and delete. Only the fields
// the file sets are compared; tags compare as a set, channels as a set of
// UUIDs.
func MakePlan(desired []Desired, existing []Check, o PlanOptions) (Plan, error) {
	if o.Prune && len(o.PruneTags) == 0 {
		return Plan{}, errors.New("pruning needs tags: only checks with all the given tags are deleted")
	}
	warn := o.Warn
	if warn == nil {
		warn = func(string, ...any) {}
	}
	byName := map[string][]Check{}
	for _, c := range existing {
		byName[c.Name] = append(byName[c.Name], c)
	}
	var p Plan
	named := map[string]bool{}
	for _, d := range desired {
		name := d.Name()
		named[name] = true
		spec := d.Spec
		if spec.Schedule != nil && spec.Timeout != nil {
			warn("check %q: schedule and timeout are exclusive; the schedule is used and timeout is not sent", name)
			spec.Timeout = nil
		}
		if spec.Channels != nil {
			// What the server would refuse, a dry run refuses too.
			if _, err := channelSet(*spec.Channels, o.Channels); err != nil {
				var ce *ChannelError
				if errors.As(err, &ce) {
					ce.Check = name
				}
				return Plan{}, err
			}
		}
		matches := byName[name]
		switch len(matches) {
		case 0:
			spec.Unique = []string{"name"}
			p.Create = append(p.Create, Change{Desired: d, Spec: spec})
			continue
		case 1:
		default:
			return Plan{}, &AmbiguousError{Ref: name, Candidates: matches}
		}
		c := matches[0]
		upd, diffs, err := diffCheck(spec, c, o.Channels)
		if err != nil {
			return Plan{}, fmt.Errorf("check %q: %w", name, err)
		}
		ch := Change{Desired: d, Check: c, Spec: upd, Diffs: diffs}
		if len(diffs) == 0 {
			p.Unchanged = append(p.Unchanged, ch)
		} else {
			p.Update = append(p.Update, ch)
		}
	}
	if o.Prune {
		for _, c := range existing {
			if !named[c.Name] && c.HasTags(o.PruneTags) {
				p.Delete = append(p.Delete, Change{Check: c})
			}
		}
	}
	return p, nil
}

// diffCheck returns the update to send (only differing fields) and the
// differences, for display.
func diffCheck(s CheckSpec, c Check, channels []Channel) (CheckSpec, []FieldDiff, error) {
	var u CheckSpec
	var diffs []FieldDiff
	add := func(field, old, new string) { diffs = append(diffs, FieldDiff{Field: field, Old: old, New: new}) }
	cmpStr := func(field string, want *string, have string, dst **string) {
		if want != nil && *want != have {
			add(field, strconv.Quote(have), strconv.Quote(*want))
			*dst = want
		}
	}
	cmpBool := func(field string, want *bool, have bool, dst **bool) {
		if want != nil && *want != have {
			add(field, strconv.FormatBool(have), strconv.FormatBool(*want))
			*dst = want
		}
	}
	cmpStr("slug", s.Slug, c.Slug, &u.Slug)
	if s.Tags != nil && sortedFields(*s.Tags) != sortedFields(c.Tags) {
		add("tags", strconv.Quote(c.Tags), strconv.Quote(*s.Tags))
		u.Tags = s.Tags
	}
	cmpStr("desc", s.Desc, c.Desc, &u.Desc)
	if s.Schedule != nil {
		if !sameSchedule(*s.Schedule, c.Schedule) {
			old := "timeout " + FormatSeconds(c.Timeout)
			if c.Schedule != "" {
				old = strconv.Quote(c.Schedule)
			}
			add("schedule", old, strconv.Quote(*s.Schedule))
			u.Schedule = s.Schedule
		}
		if s.TZ != nil && *s.TZ != c.TZ {
			add("tz", strconv.Quote(c.TZ), strconv.Quote(*s.TZ))
			u.TZ = s.TZ
		}
	} else if s.Timeout != nil && (c.Schedule != "" || *s.Timeout != c.Timeout) {
		old := FormatSeconds(c.Timeout)
		if c.Schedule != "" {
			old = "schedule " + strconv.Quote(c.Schedule)
		}
		add("timeout", old, FormatSeconds(*s.Timeout))
		u.Timeout = s.Timeout
	}
	if s.Grace != nil && *s.Grace != c.Grace {
		add("grace", FormatSeconds(c.Grace), FormatSeconds(*s.Grace))
		u.Grace = s.Grace
	}
	cmpBool("manual_resume", s.ManualResume, c.ManualResume, &u.ManualResume)
	cmpStr("methods", s.Methods, c.Methods, &u.Methods)
	if s.Channels != nil {
		want, err := channelSet(*s.Channels, channels)
		if err != nil {
			return u, nil, err
		}
		have := ""
		if c.Channels != nil {
			have = sortedChannels(*c.Channels)
		}
		if c.Channels == nil || want != have {
			add("channels", strconv.Quote(have), strconv.Quote(*s.Channels))
			u.Channels = s.Channels
		}
	}
	cmpStr("subject", s.Subject, c.Subject, &u.Subject)
	cmpStr("subject_fail", s.SubjectFail, c.SubjectFail, &u.SubjectFail)
	cmpStr("start_kw", s.StartKW, c.StartKW, &u.StartKW)
	cmpStr("success_kw", s.SuccessKW, c.SuccessKW, &u.SuccessKW)
	cmpStr("failure_kw", s.FailureKW, c.FailureKW, &u.FailureKW)
	cmpBool("filter_subject", s.FilterSubject, c.FilterSubject, &u.FilterSubject)
	cmpBool("filter_body", s.FilterBody, c.FilterBody, &u.FilterBody)
	return u, diffs, nil
}

// sameSchedule reports whether two schedules (cron or OnCalendar) are the
// same once normalised: spacing and the case of names do not make a change
// worth a write.
func sameSchedule(a, b string) bool {
	if a == b {
		return true
	}
	if cron.Kind(a) != cron.Kind(b) {
		return false
	}
	sa, err := cron.ParseAny(a)
	if err != nil {
		return false
	}
	sb, err := cron.ParseAny(b)
	return err == nil && sa.String() == sb.String()
}

// channelSet resolves a channels value ("*", "", UUIDs or names) to the
// sorted UUID list the API reports, by the server's rules (views._update):
// split on ",", an identifier shaped like a UUID matches an integration's
// UUID, any other its exact name; none or several is a *ChannelError.
func channelSet(v string, all []Channel) (string, error) {
	if v == "" {
		return "", nil
	}
	var ids []string
	if v == "*" {
		for _, c := range all {
			ids = append(ids, c.ID)
		}
	} else {
		for _, s := range strings.Split(v, ",") {
			if s == "" {
				return "", &ChannelError{ID: s, Reason: "empty"}
			}
			var found []string
			for _, c := range all {
				if IsUUID(s) && strings.EqualFold(c.ID, s) || !IsUUID(s) && c.Name == s {
					found = append(found, strings.ToLower(c.ID))
				}
			}
			switch len(found) {
			case 0:
				return "", &ChannelError{ID: s, Reason: "unknown"}
			case 1:
				ids = append(ids, found[0])
			default:
				return "", &ChannelError{ID: s, Reason: "not unique"}
			}
		}
	}
	sort.Strings(ids)
	return strings.Join(ids, ","), nil
}

func sortedChannels(s string) string {
	if s == "" {
		return ""
	}
	f := strings.Split(s, ",")
	sort.Strings(f)
	return strings.Join(f, ",")
}

// Result is the outcome of one change.
type Result struct {
	Op     string // create, update, delete
	Change Change
	Check  Check // as the server answered
	Err    error
}

// Apply performs the plan's writes with at most concurrency requests in
// flight (the client's rate limiter keeps them within the API's limit).
// done is called once per write, from the worker goroutines, serialised.
// It returns the results in plan order.
func (a *API) Apply(ctx context.Context, p Plan, concurrency int, done func(Result)) []Result {
	type job struct {
		i  int
		op string
		ch Change
	}
	var jobs []job
	for _, c := range p.Create {
		jobs = append(jobs, job{len(jobs), "create", c})
	}
	for _, c := range p.Update {
		jobs = append(jobs, job{len(jobs), "update", c})
	}
	for _, c := range p.Delete {
		jobs = append(jobs, job{len(jobs), "delete", c})
	}
	results := make([]Result, len(jobs))
	if concurrency < 1 {
		concurrency = 1
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	queue := make(chan job)
	for w := 0; w < min(concurrency, len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				r := Result{Op: j.op, Change: j.ch}
				switch j.op {
				case "create":
					r.Check, _, r.Err = a.CreateCheck(ctx, j.ch.Spec)
				case "update":
					r.Check, r.Err = a.UpdateCheck(ctx, j.ch.Check.ID(), j.ch.Spec)
				case "delete":
					r.Check, r.Err = a.DeleteCheck(ctx, j.ch.Check.ID())
				}
				mu.Lock()
				results[j.i] = r
				if done != nil {
					done(r)
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		select {
		case queue <- j:
		case <-ctx.Done():
			results[j.i] = Result{Op: j.op, Change: j.ch, Err: ctx.Err()}
		}
	}
	close(queue)
	wg.Wait()
	return results
}
