package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cronkit/cronkit/lib/atomicfile"
	"github.com/cronkit/cronkit/lib/runner"
)

// selfHostedBodyLimit is what a self-hosted Healthchecks keeps of a ping
// body by default (PING_BODY_LIMIT, reference/healthchecks-api.md §2.4). The
// server keeps the *first* bytes, so a longer body loses its end, the exit
// line included: until a server has said its limit, bodies fit this.
const selfHostedBodyLimit = 10_000

// learnedLimit is the Ping-Body-Limit an endpoint announced, kept in the
// state directory for runs that do not learn it (--no-start-ping, or a
// start ping that failed).
type learnedLimit struct {
	Endpoint string `json:"endpoint"` // no key, password or query (hc.PingClient.Endpoint)
	Limit    int    `json:"ping_body_limit"`
}

// limitPath names the file for an endpoint: hashed, like the --tolerate
// state, so nothing from the URL is in the file name.
func limitPath(dir, endpoint string) string {
	sum := sha256.Sum256([]byte(endpoint))
	return filepath.Join(dir, "runwrap-limit-"+hex.EncodeToString(sum[:8])+".json")
}

// loadLimit returns the limit learned for endpoint, 0 when none is.
func loadLimit(dir, endpoint string) (int, error) {
	b, err := os.ReadFile(limitPath(dir, endpoint))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var l learnedLimit
	if err := json.Unmarshal(b, &l); err != nil || l.Endpoint != endpoint || l.Limit < 0 {
		// Corrupt, or a hash collision: not this endpoint's.
		return 0, nil
	}
	return l.Limit, nil
}

// saveLimit records n for endpoint (atomically: concurrent runs read the
// old or the new file, never a torn one).
func saveLimit(dir, endpoint string, n int) error {
	b, _ := json.Marshal(learnedLimit{Endpoint: endpoint, Limit: n})
	return atomicfile.WriteFile(limitPath(dir, endpoint), append(b, '\n'), 0o600)
}

// unknownLimit is the body limit while the server's is unknown: an explicit
// --ping-body-limit (the user's word), else the limit learned earlier for
// this endpoint, else the self-hosted default.
func (w *wrapper) unknownLimit() int {
	o := w.o
	if o.bodyLimitSet {
		return o.bodyLimit()
	}
	w.mu.Lock()
	n := w.learned
	w.mu.Unlock()
	if n == 0 {
		if dir, err := runner.StateDir(o.root.Env.Getenv); err == nil {
			n, err = loadLimit(dir, w.pc.Endpoint())
			if err != nil {
				o.root.Logger.Info("ping body limit not read", "err", err)
			}
		}
	}
	if n <= 0 {
		return selfHostedBodyLimit
	}
	return min(n, maxBodyLimit)
}

// rememberLimit keeps the limit a server announced, in the state directory
// when it changed, so later runs without a start ping fit it.
func (w *wrapper) rememberLimit(n int) {
	w.mu.Lock()
	same := w.learned == n
	w.learned = n
	w.mu.Unlock()
	if same {
		return
	}
	o := w.o
	dir, err := runner.StateDir(o.root.Env.Getenv)
	if err != nil {
		return
	}
	ep := w.pc.Endpoint()
	if old, err := loadLimit(dir, ep); err == nil && old == n {
		return
	}
	if err := saveLimit(dir, ep, n); err != nil {
		o.root.Logger.Info("ping body limit not saved", "err", err)
	}
}
