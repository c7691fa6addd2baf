package atomicfile

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
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

// chartd -o /dev/null (or any device or FIFO) must not replace the device
// with a plain file: that broke every later program writing to /dev/null.
func TestWriteFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // blocks until the writer opens and closes
		got <- b
	}()
	if err := WriteFile(fifo, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b := <-got; string(b) != "data" {
		t.Errorf("reader got %q", b)
	}
	fi, err := os.Lstat(fifo)
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}

// A symlinked file (a published chart linked into a web root) keeps its link;
// the target is replaced.
func TestWriteFileSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.png")
	link := filepath.Join(dir, "link.png")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
}
