package pgcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cronkit/cronkit/lib/atomicfile"
)

// State is what one check leaves for the next about one server: the
// deadlock counters, so that a rule can count the deadlocks in between.
type State struct {
	Version   int                      `json:"version"`
	Server    string                   `json:"server"`
	Deadlocks map[string]DeadlockState `json:"deadlocks"` // by database
}

// DeadlockState is pg_stat_database.deadlocks as last seen.
type DeadlockState struct {
	Count      int64 `json:"count"`
	StatsReset int64 `json:"stats_reset"` // a different value: the counter restarted
	At         int64 `json:"at"`          // report time
}

// NewState is an empty state for server.
func NewState(server string) *State {
	return &State{Version: 1, Server: server, Deadlocks: map[string]DeadlockState{}}
}

// LoadState reads path; a missing file is an empty state. A state file of
// another server (a copied file, a reused --state) is an error, since its
// counters would produce false counts.
func LoadState(path, server string) (*State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewState(server), nil
	}
	if err != nil {
		return NewState(server), err
	}
	s := NewState(server)
	if err := json.Unmarshal(b, s); err != nil || s.Version != 1 {
		return NewState(server), fmt.Errorf("state file %s is not a pgreport check state (starting afresh): %v", path, err)
	}
	if s.Server != server {
		return NewState(server), fmt.Errorf("state file %s belongs to server %q, not %q (starting afresh)", path, s.Server, server)
	}
	if s.Deadlocks == nil {
		s.Deadlocks = map[string]DeadlockState{}
	}
	return s, nil
}

// Save writes the state atomically (another check may read it at any time).
func (s *State) Save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o600)
}

// ErrNoStateDir is StatePath's error when the environment names no state
// directory: the caller says how to give a state file instead.
var ErrNoStateDir = errors.New("no state directory: set XDG_STATE_HOME or HOME")

// StatePath is the default state file for server under the XDG state
// directory: $XDG_STATE_HOME/cronkit/pgreport-check/<server>.json, with
// $HOME/.local/state for an unset XDG_STATE_HOME. One file per server, so
// that checks of different servers never race on one file.
func StatePath(getenv func(string) string, server string) (string, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", ErrNoStateDir
		}
		dir = filepath.Join(home, ".local", "state")
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, server)
	if name == "" || strings.Trim(name, ".") == "" {
		name = "_"
	}
	return filepath.Join(dir, "cronkit", "pgreport-check", name+".json"), nil
}
