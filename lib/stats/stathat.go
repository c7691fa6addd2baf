package stats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
)

// StatHatMaxItems bounds a JSON bulk post. StatHat documents no limit; with
// names of at most 255 characters 1,000 items stay under ~300 KiB.
const StatHatMaxItems = 1000

// StatHat posts to the EZ API (reference: stathat-api.md §1.1, §1.3, §1.4):
// one record as a form post to /ez, more as one JSON bulk post.
type StatHat struct {
	URL         string // base, e.g. https://api.stathat.com
	EZKey       string
	Client      *httpx.Client
	AtLeastOnce bool
	// Verbose, when set, asks for the verbose body (vb=1) and writes each
	// answer's status and body there.
	Verbose io.Writer
	// MaxItems overrides StatHatMaxItems (1 gives the official clients'
	// one request per record, for comparison).
	MaxItems int

	buf []byte
}

func (s *StatHat) Name() string { return "stathat" }

func (s *StatHat) MaxBatch() int {
	if s.MaxItems > 0 {
		return s.MaxItems
	}
	return StatHatMaxItems
}

// Idempotent: a value posted twice changes an average but does not count
// twice; a count posted twice does.
func (s *StatHat) Idempotent(k metric.Kind) bool { return k == metric.Value || s.AtLeastOnce }

// Check applies StatHat's name rules: at most 255 characters, and `~` only
// in the multi-stat form `prefix~a,b` (each expanded name also ≤ 255).
func (s *StatHat) Check(rec metric.Record) error { return CheckStatHatName(rec.Name) }

// CheckStatHatName applies StatHat's name rules.
func CheckStatHatName(name string) error {
	if n := utf8.RuneCountInString(name); n > 255 {
		return fmt.Errorf("name %q is %d characters; StatHat allows at most 255", clip(name), n)
	}
	if strings.ContainsAny(name, "\n\r") {
		return fmt.Errorf("name %q contains a line break", clip(name))
	}
	if strings.TrimSpace(name) == "" {
		// StatHat would create a stat nobody can tell apart on its site
		return fmt.Errorf("name %q is blank", name)
	}
	prefix, list, ok := strings.Cut(name, "~")
	if !ok {
		return nil
	}
	if strings.TrimSpace(prefix) == "" || list == "" || strings.Contains(list, "~") {
		return fmt.Errorf("name %q: `~` is only allowed in the multi-stat form prefix~a,b", clip(name))
	}
	for _, p := range strings.Split(list, ",") {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("name %q: empty part in prefix~a,b", clip(name))
		}
		if utf8.RuneCountInString(prefix+" "+p) > 255 {
			return fmt.Errorf("name %q: %q is longer than 255 characters", clip(name), clip(prefix+" "+p))
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func (s *StatHat) endpoint() string {
	u := strings.TrimRight(s.URL, "/") + "/ez"
	return u
}

// request builds the request for recs (form for one, JSON bulk for more).
func (s *StatHat) request(recs []metric.Record, verbose bool) httpx.Request {
	if len(recs) == 1 {
		r := recs[0]
		f := url.Values{}
		f.Set("ezkey", s.EZKey)
		f.Set("stat", r.Name)
		num := strconv.FormatFloat(r.Value, 'g', -1, 64)
		if r.Kind == metric.Count {
			f.Set("count", num)
		} else {
			f.Set("value", num)
		}
		if !r.Time.IsZero() {
			f.Set("t", strconv.FormatInt(r.Time.Unix(), 10))
		}
		if verbose {
			f.Set("vb", "1")
		}
		return httpx.Request{Method: http.MethodPost, URL: s.endpoint(),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   []byte(f.Encode()), Idempotent: s.Idempotent(r.Kind)}
	}
	b := s.buf[:0]
	b = append(b, `{"ezkey":`...)
	kb, _ := json.Marshal(s.EZKey)
	b = append(b, kb...)
	b = append(b, `,"data":[`...)
	idem := true
	for i, r := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendStatHatItem(b, r)
		idem = idem && s.Idempotent(r.Kind)
	}
	b = append(b, "]}"...)
	s.buf = b
	u := s.endpoint()
	if verbose {
		u += "?vb=1"
	}
	return httpx.Request{Method: http.MethodPost, URL: u,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   b, Idempotent: idem}
}

// AppendStatHatItem appends one JSON bulk item: {"stat":..,"count"|"value":..,"t":..}.
func AppendStatHatItem(b []byte, r metric.Record) []byte {
	b = append(b, `{"stat":`...)
	b = metric.AppendString(b, r.Name)
	if r.Kind == metric.Count {
		b = append(b, `,"count":`...)
	} else {
		b = append(b, `,"value":`...)
	}
	b = metric.AppendNumber(b, r.Value)
	if !r.Time.IsZero() {
		b = append(b, `,"t":`...)
		b = strconv.AppendInt(b, r.Time.Unix(), 10)
	}
	return append(b, '}')
}

func (s *StatHat) Send(ctx context.Context, recs []metric.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	req := s.request(recs, s.Verbose != nil)
	resp, err := doHTTP(ctx, s.Client, req)
	if s.Verbose != nil && resp != nil {
		fmt.Fprintf(s.Verbose, "stathat: POST %s: %d %s %s\n", strings.TrimSuffix(req.URL, "?vb=1"), resp.Status,
			http.StatusText(resp.Status), s.redact(httpx.Excerpt(resp.Body, 500)))
	}
	if err != nil {
		se := AsSendError(err)
		se.Err = &redacted{err: se.Err, msg: s.redact(se.Err.Error())}
		return se
	}
	if err := bodyStatus(resp.Body); err != nil {
		// A 2xx whose body says it failed (patrickxb/stathat PR #8): the server
		// saw the request, so treat it as ambiguous.
		return &SendError{Err: errors.New(s.redact(fmt.Sprintf("POST %s: %d but the body says %v", s.endpoint(), resp.Status, err))), Ambiguous: true}
	}
	return nil
}

// redact hides the key in text from the server, which may echo it back in
// any form it was sent (raw, form-encoded, JSON-escaped).
func (s *StatHat) redact(text string) string { return httpx.Redact(text, s.EZKey) }

// redacted keeps an error's chain (status, context errors) under a redacted message.
type redacted struct {
	err error
	msg string
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// bodyStatus applies stathat-api.md §1.4 rule 4: an empty body is success; a
// JSON body fails when "status" is a number outside 200–299 or a string
// other than "ok" (or a 2xx number in a string).
func bodyStatus(body []byte) error {
	b := strings.TrimSpace(string(body))
	if b == "" || b[0] != '{' {
		return nil
	}
	var v struct {
		Status json.RawMessage `json:"status"`
		Msg    any             `json:"msg"`
	}
	if err := json.Unmarshal([]byte(b), &v); err != nil || v.Status == nil {
		return nil
	}
	msg := ""
	if v.Msg != nil {
		msg = fmt.Sprint(v.Msg)
	}
	var n float64
	if err := json.Unmarshal(v.Status, &n); err == nil {
		if n >= 200 && n <= 299 {
			return nil
		}
		return fmt.Errorf(`"status":%s %q`, v.Status, msg)
	}
	var str string
	if err := json.Unmarshal(v.Status, &str); err == nil {
		if strings.EqualFold(str, "ok") {
			return nil
		}
		if n, err := strconv.Atoi(str); err == nil && n >= 200 && n <= 299 {
			return nil
		}
		return fmt.Errorf(`"status":%s %q`, v.Status, msg)
	}
	return errors.New(`unreadable "status" ` + string(v.Status))
}

func (s *StatHat) DryRun(w io.Writer, recs []metric.Record) error {
	if len(recs) == 0 {
		return nil
	}
	req := s.request(recs, s.Verbose != nil)
	body := httpx.Redact(string(req.Body), s.EZKey) // form- or JSON-encoded
	_, err := fmt.Fprintf(w, "POST %s\nContent-Type: %s\n\n%s\n\n", req.URL, req.Header.Get("Content-Type"), body)
	return err
}
