package runner

import (
	"io"
	"sync"
)

// tee passes output through to dst and copies it into the capture. A write
// error on dst (a closed pipe downstream) is returned, which closes the
// command's pipe: the command then gets SIGPIPE as it would without runwrap.
type tee struct {
	dst     io.Writer
	capture io.Writer   // nil: pass through only
	mu      *sync.Mutex // guards capture
	dstMu   *sync.Mutex // guards dst when stdout and stderr share it
}

func (t *tee) Write(p []byte) (int, error) {
	if t.dst != nil {
		if t.dstMu != nil {
			t.dstMu.Lock()
		}
		n, err := t.dst.Write(p)
		if t.dstMu != nil {
			t.dstMu.Unlock()
		}
		if err != nil {
			t.keep(p[:n])
			return n, err
		}
	}
	t.keep(p)
	return len(p), nil
}

func (t *tee) keep(p []byte) {
	if t.capture == nil {
		return
	}
	t.mu.Lock()
	_, _ = t.capture.Write(p)
	t.mu.Unlock()
}

// copyBufSize: one read takes a whole enlarged pipe (pipeSize). Large reads
// mean few syscalls and context switches for a chatty command, and only the
// last Tail.Cap bytes of each read are copied into the capture. A command
// starts with a small buffer (most cron jobs print a few lines) and moves to
// the large one the first time a read fills the small one.
const (
	smallBufSize = 16 << 10
	copyBufSize  = 256 << 10
	pipeSize     = 256 << 10
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// ReadFrom lets exec's io.Copy use our buffers: a small one first, then, for
// a chatty command, one pooled large one (fewer syscalls, no allocation per
// run after the first) and enlarged pipes.
func (t *tee) ReadFrom(r io.Reader) (int64, error) {
	buf := make([]byte, smallBufSize)
	var total int64
	for {
		n, err := r.Read(buf)
		if n == len(buf) && len(buf) < copyBufSize {
			growPipe(r)
			growPipe(t.dst)
			bp := bufPool.Get().(*[]byte)
			defer bufPool.Put(bp)
			copy(*bp, buf[:n])
			buf = *bp
		}
		if n > 0 {
			w, werr := t.Write(buf[:n])
			total += int64(w)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
