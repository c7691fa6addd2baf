package wrap

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

// learnedLimit is the Ping-Body-Limit an endpoint announced, kept in the
// state directory for runs that do not learn it (--no-start-ping, or a
// start ping that failed).
type learnedLimit struct {
	Endpoint string `json:"endpoint"` // no key, password or query (Config.Endpoint)
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
	c := &w.c
	if c.BodyLimitSet {
		return c.bodyLimit()
	}
	w.mu.Lock()
	n := w.learned
	w.mu.Unlock()
	if n == 0 {
		if dir, err := runner.StateDir(w.getenv); err == nil {
			n, err = loadLimit(dir, c.Endpoint)
			if err != nil {
				c.Logger.Info("ping body limit not read", "err", err)
			}
		}
	}
	if n <= 0 {
		return SelfHostedBodyLimit
	}
	return min(n, MaxBodyLimit)
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
	dir, err := runner.StateDir(w.getenv)
	if err != nil {
		return
	}
	ep := w.c.Endpoint
	if old, err := loadLimit(dir, ep); err == nil && old == n {
		return
	}
	if err := saveLimit(dir, ep, n); err != nil {
		w.c.Logger.Info("ping body limit not saved", "err", err)
	}
}
