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
//
// A symlink is followed (its target is replaced, the link stays), and a path
// that is not a regular file (/dev/null, a FIFO, a terminal) is written in
// place: renaming over it would replace a device with a plain file.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(path)
			if err != nil {
				return err
			}
			return WriteFile(target, data, perm)
		}
		if !fi.Mode().IsRegular() {
			return writeInPlace(path, data)
		}
	}
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

// writeInPlace writes data to an existing file that is not a regular file.
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
