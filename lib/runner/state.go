package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cronkit/cronkit/lib/atomicfile"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Jitter returns a random delay in [0, max).
func Jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}

// Failures counts consecutive failed runs of one job across processes, for
// --tolerate. It lives in a small JSON file.
type Failures struct {
	Path        string    `json:"-"`
	Consecutive int       `json:"consecutive"`
	Since       time.Time `json:"since,omitzero"` // first failure of the streak
}

// StateDir is $XDG_STATE_HOME/cronkit, else ~/.local/state/cronkit.
func StateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "cronkit"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "cronkit"), nil
	}
	return "", errors.New("neither XDG_STATE_HOME nor HOME is set: no place for the state file")
}

// FailuresPath names the state file for a job key (the check's handle):
// hashed, so a ping key never appears in a file name.
func FailuresPath(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "runwrap-"+hex.EncodeToString(sum[:8])+".json")
}

// LoadFailures reads the counter; a missing file is a zero count.
func LoadFailures(path string) (*Failures, error) {
	f := &Failures{Path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tolerate state: %w", err)
	}
	if err := json.Unmarshal(b, f); err != nil {
		// A corrupt counter must not stop the job: start a new streak.
		return &Failures{Path: path}, fmt.Errorf("tolerate state %s: %v (starting from 0)", path, err)
	}
	return f, nil
}

// Record updates the counter after a run and saves it atomically.
func (f *Failures) Record(ok bool, now time.Time) error {
	if ok {
		f.Consecutive, f.Since = 0, time.Time{}
	} else {
		if f.Consecutive == 0 {
			f.Since = now.UTC()
		}
		f.Consecutive++
	}
	b, _ := json.Marshal(f)
	if err := atomicfile.WriteFile(f.Path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("tolerate state: %w", err)
	}
	return nil
}
