package wrap

import (
	"os"
	"syscall"

	"github.com/cronkit/cronkit/lib/runner"
)

// forwarded are the signals runwrap passes to the command's process group.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// Notified lists the signals runwrap must be notified of (signal.Notify)
// and pass in Config.Signals: the forwarded ones, and SIGALRM when periodic
// (run now). Not SIGPIPE: runwrap writes fds 1 and 2 through dups of them
// (cli.OwnStreams), where a closed reader makes a write fail with EPIPE (then
// the command's pipe closes and it gets its own SIGPIPE) rather than the Go
// runtime ending runwrap before it can ping; and each notified signal costs
// start-up time (docs/benchmarks.md, runwrap).
func Notified(periodic bool) []os.Signal {
	sigs := append([]os.Signal{}, forwarded...)
	if periodic {
		sigs = append(sigs, syscall.SIGALRM)
	}
	return sigs
}

// router splits runwrap's signals: all go to the running command; a
// terminating one also stops runwrap (no further attempts or runs); SIGALRM
// starts the next periodic run now.
type router struct {
	fwd   chan os.Signal
	alarm chan struct{}
	stop  chan struct{}
	got   os.Signal // first terminating signal; read after stop is closed
	quit  func()
}

// newRouter routes the signals from in until quit is called.
func newRouter(in <-chan os.Signal, periodic bool) *router {
	s := &router{fwd: make(chan os.Signal, 8), alarm: make(chan struct{}, 1), stop: make(chan struct{})}
	done := make(chan struct{})
	s.quit = func() { close(done) }
	go func() {
		for {
			select {
			case <-done:
				return
			case sig := <-in:
				s.route(sig, periodic)
			}
		}
	}()
	return s
}

// route decides what one signal does.
func (s *router) route(sig os.Signal, periodic bool) {
	switch {
	case sig == syscall.SIGPIPE:
	case sig == syscall.SIGALRM:
		if !periodic {
			return
		}
		select {
		case s.alarm <- struct{}{}:
		default: // one pending "run now" is enough
		}
	default:
		if runner.Terminating(sig) && s.got == nil {
			s.got = sig
			close(s.stop)
		}
		select {
		case s.fwd <- sig:
		default: // a burst of signals: the command has them already
		}
	}
}

// drain drops signals that arrived while no command was running.
func (s *router) drain() {
	for {
		select {
		case <-s.fwd:
		default:
			return
		}
	}
}

func (s *router) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func sigNum(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 0
}
