package atomicfile

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b", "state.json")
	if err := WriteFile(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "two" {
		t.Fatalf("read %q, %v", b, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	if d, _ := os.Stat(filepath.Dir(p)); d.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", d.Mode())
	}
	// Concurrent writers: the file always holds one whole write, no temp files stay.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := WriteFile(p, []byte{'0' + byte(i), '0' + byte(i), '0' + byte(i)}, 0o600); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	b, _ = os.ReadFile(p)
	if len(b) != 3 || b[0] != b[1] || b[1] != b[2] {
		t.Errorf("torn content %q", b)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	// A directory in the way is an error, not a panic.
	if err := WriteFile(dir, []byte("x"), 0o600); err == nil {
		t.Error("writing over a directory succeeded")
	}
}
