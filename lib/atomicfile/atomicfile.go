// Package atomicfile writes small state files so that a reader, or the next
// run after a crash, sees either the old contents or the new, never a torn
// file. It is not a public API.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces path with data: a temp file of its own in the same
// directory (concurrent writers never share one), fsynced, given perm, then
// renamed over path, and the directory fsynced so the rename survives a crash.
// Missing parent directories are created with mode 0700.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
