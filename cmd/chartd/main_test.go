package main

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"chartd": func() { os.Exit(run()) }})
}

// TestScript runs testdata/script/*.txtar against chartd's real root command.
// Extra commands:
//
//	freeport VAR              set VAR to a free loopback port
//	waithttp URL              poll URL until it answers (5 s deadline)
//	httpget [-H K:V] [-inm FILE.head] [-X METHOD] [-d BODY] URL FILE   save the response: FILE (body), FILE.head (status line and headers)
//	pngsize FILE W H          FILE is a PNG of W×H pixels
//	xmlok FILE                FILE is well-formed XML
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport": cmdFreeport,
			"waithttp": cmdWaitHTTP,
			"httpget":  cmdHTTPGet,
			"pngsize":  cmdPNGSize,
			"xmlok":    cmdXMLOK,
		},
	})
}

func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ts.Check(ln.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}

func cmdWaitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	deadline := time.Now().Add(5 * time.Second)
	c := &http.Client{Timeout: time.Second}
	for {
		resp, err := c.Get(args[0])
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not answer: %v", args[0], err)
		}
		time.Sleep(20 * time.Millisecond) // polling with a deadline, not synchronisation by sleep
	}
}

func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	method, body := "GET", ""
	hdr := http.Header{}
	for len(args) > 2 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-H":
			k, v, _ := strings.Cut(args[1], ":")
			hdr.Set(k, strings.TrimSpace(v))
		case "-inm": // If-None-Match: the ETag from a saved FILE.head
			head, err := os.ReadFile(ts.MkAbs(args[1]))
			ts.Check(err)
			for _, l := range strings.Split(string(head), "\n") {
				if v, ok := strings.CutPrefix(l, "Etag: "); ok {
					hdr.Set("If-None-Match", strings.TrimSpace(v))
				}
			}
		case "-X":
			method = args[1]
		case "-d":
			body = args[1]
			if method == "GET" {
				method = "POST"
			}
		case "-D": // the body from a FILE
			b, err := os.ReadFile(ts.MkAbs(args[1]))
			ts.Check(err)
			body = strings.TrimSpace(string(b))
			if method == "GET" {
				method = "POST"
			}
		default:
			ts.Fatalf("httpget: unknown option %s", args[0])
		}
		args = args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: httpget [-H K:V] [-X METHOD] [-d BODY | -D FILE] URL FILE")
	}
	req, err := http.NewRequest(method, args[0], strings.NewReader(body))
	ts.Check(err)
	req.Header = hdr
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s\n", resp.Proto, resp.Status)
	ts.Check(resp.Header.Write(&head))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]+".head"), head.Bytes(), 0o644))
}

func cmdPNGSize(ts *testscript.TestScript, neg bool, args []string) {
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	got := fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy())
	if want := args[1] + "x" + args[2]; got != want {
		ts.Fatalf("%s is %s, want %s", args[0], got, want)
	}
}

func cmdXMLOK(ts *testscript.TestScript, neg bool, args []string) {
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if err := xmlWellFormed(b); (err != nil) != neg {
		ts.Fatalf("%s: xml: %v", args[0], err)
	}
}
