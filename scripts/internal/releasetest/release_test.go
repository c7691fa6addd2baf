package releasetest

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

var tools = []string{"chartd", "hcctl", "pgreport", "runwrap", "statpost"}

// release is the dist folder under test and the version it was built with.
type release struct {
	dir      string
	version  string // "v1.2.3-rc.1" as --version prints it
	fversion string // "1.2.3-rc.1" as file names carry it
	full     bool   // every target, not RELEASE_QUICK's linux/amd64 only
}

var debName = regexp.MustCompile(`^cronkit_(.+)_amd64\.deb$`)

func getRelease(t *testing.T) release {
	t.Helper()
	if dir := os.Getenv("CRONKIT_DIST"); dir != "" {
		r := release{dir: dir}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("CRONKIT_DIST: %v", err)
		}
		for _, e := range entries {
			if m := debName.FindStringSubmatch(e.Name()); m != nil {
				r.fversion, r.version = m[1], "v"+m[1]
			}
		}
		if r.fversion == "" {
			t.Fatalf("CRONKIT_DIST=%s holds no cronkit_*_amd64.deb", dir)
		}
		_, err = os.Stat(filepath.Join(dir, "cronkit_"+r.fversion+"_freebsd_arm64.tar.gz"))
		r.full = err == nil
		return r
	}
	if testing.Short() {
		t.Skip("builds a release; CRONKIT_DIST unset")
	}
	testutil.NeedProgram(t, "git")
	r := release{dir: t.TempDir(), version: "v1.2.3-rc.1", fversion: "1.2.3-rc.1"}
	testutil.Run(t, testutil.ModuleRoot(t), []string{"RELEASE_QUICK=1", "RELEASE_DIST=" + r.dir}, "scripts/release", r.version)
	return r
}

type targetT struct{ os, arch string }

func (r release) targets() []targetT {
	if !r.full {
		return []targetT{{"linux", "amd64"}}
	}
	var ts []targetT
	for _, os := range []string{"linux", "darwin", "freebsd"} {
		for _, arch := range []string{"amd64", "arm64"} {
			ts = append(ts, targetT{os, arch})
		}
	}
	return ts
}

func (r release) debArchs() []string {
	if !r.full {
		return []string{"amd64"}
	}
	return []string{"amd64", "arm64"}
}

// manPages lists the page every visible command should have, found the way
// a user would: --help's "Available Commands", recursively.
func manPages(t *testing.T, bin string) []string {
	t.Helper()
	var pages []string
	var walk func(path []string)
	walk = func(path []string) {
		pages = append(pages, strings.Join(path, "-")+".1.gz")
		out := testutil.Run(t, "", nil, filepath.Join(bin, path[0]), append(path[1:], "--help")...)
		_, after, ok := strings.Cut(out, "\nAvailable Commands:\n")
		if !ok {
			return
		}
		sc := bufio.NewScanner(strings.NewReader(after))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 0 {
				break
			}
			if f[0] != "help" { // cobra's help command has no page of its own
				walk(append(slices.Clone(path), f[0]))
			}
		}
	}
	for _, tool := range tools {
		walk([]string{tool})
	}
	sort.Strings(pages)
	return pages
}

type tarEntry struct {
	mode int64
	body []byte // first bytes, enough for an executable's header
}

func readTarball(t *testing.T, path string) map[string]tarEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(zr)
	files := map[string]tarEntry{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: %s owned by %d:%d, want 0:0", path, h.Name, h.Uid, h.Gid)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		head := make([]byte, 4096)
		n, _ := io.ReadFull(tr, head)
		files[h.Name] = tarEntry{mode: h.Mode, body: head[:n]}
	}
	return files
}

func TestRelease(t *testing.T) {
	testutil.NeedProgram(t, "dpkg-deb")
	r := getRelease(t)
	t.Run("SHA256SUMS", func(t *testing.T) {
		testutil.NeedProgram(t, "sha256sum")
		sums := testutil.Run(t, r.dir, nil, "sha256sum", "--strict", "-c", "SHA256SUMS")
		var want []string
		for _, tg := range r.targets() {
			want = append(want, "cronkit_"+r.fversion+"_"+tg.os+"_"+tg.arch+".tar.gz: OK")
		}
		for _, a := range r.debArchs() {
			want = append(want, "cronkit_"+r.fversion+"_"+a+".deb: OK")
		}
		for _, w := range want {
			if !strings.Contains(sums, w+"\n") {
				t.Errorf("sha256sum -c lacks %q:\n%s", w, sums)
			}
		}
	})

	// The linux/amd64 tarball's binaries are run: --version and the oracle
	// for the man pages (their --help).
	bin := t.TempDir()
	testutil.Run(t, "", nil, "tar", "-xzf", filepath.Join(r.dir, "cronkit_"+r.fversion+"_linux_amd64.tar.gz"),
		"-C", bin, "--strip-components=1")
	wantPages := manPages(t, bin)
	if !slices.Contains(wantPages, "hcctl-checks-create.1.gz") || !slices.Contains(wantPages, "runwrap.1.gz") {
		t.Fatalf("--help walk found too little: %v", wantPages)
	}

	// README "Install": the tarball's install lines, as written there, with
	// /usr/local/ moved under a temp prefix.
	t.Run("readme install", func(t *testing.T) {
		readme := `install -m 0755 statpost runwrap pgreport chartd hcctl /usr/local/bin/
install -m 0644 man/man1/*.1.gz /usr/local/share/man/man1/`
		prefix := t.TempDir()
		for _, d := range []string{"bin", "share/man/man1"} {
			if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		testutil.Run(t, bin, nil, "sh", "-ec", strings.ReplaceAll(readme, "/usr/local/", prefix+"/"))
		out := testutil.Run(t, "", nil, filepath.Join(prefix, "bin", "runwrap"), "--version")
		if !strings.Contains(out, r.version) {
			t.Errorf("installed runwrap --version: %q, want %s", out, r.version)
		}
		if _, err := os.Stat(filepath.Join(prefix, "share/man/man1/runwrap.1.gz")); err != nil {
			t.Error(err)
		}
	})

	t.Run("tarballs", func(t *testing.T) {
		for _, tg := range r.targets() {
			name := "cronkit_" + r.fversion + "_" + tg.os + "_" + tg.arch
			files := readTarball(t, filepath.Join(r.dir, name+".tar.gz"))
			want := []string{"README.md", "LICENSE"}
			for _, tool := range tools {
				want = append(want, tool, "completions/bash/"+tool, "completions/zsh/_"+tool, "completions/fish/"+tool+".fish")
			}
			for _, p := range wantPages {
				want = append(want, "man/man1/"+p)
			}
			var got []string
			for n := range files {
				got = append(got, strings.TrimPrefix(n, name+"/"))
			}
			sort.Strings(want)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s holds\n%v\nwant\n%v", name, got, want)
			}
			for _, tool := range tools {
				e := files[name+"/"+tool]
				if e.mode&0o111 != 0o111 {
					t.Errorf("%s/%s mode %o, not executable", name, tool, e.mode)
				}
				checkExecutable(t, name+"/"+tool, e.body, tg)
			}
		}
	})

	t.Run("version", func(t *testing.T) {
		for _, tool := range tools {
			if got, want := strings.TrimSpace(testutil.Run(t, "", nil, filepath.Join(bin, tool), "--version")), tool+" "+r.version; got != want {
				t.Errorf("--version = %q, want %q", got, want)
			}
		}
	})

	for _, arch := range r.debArchs() {
		deb := filepath.Join(r.dir, "cronkit_"+r.fversion+"_"+arch+".deb")
		t.Run("deb-fields-"+arch, func(t *testing.T) {
			info := testutil.Run(t, "", nil, "dpkg-deb", "-f", deb)
			for _, want := range []string{
				"Package: cronkit\n",
				"Architecture: " + arch + "\n",
				"Section: utils\n",
				"Priority: optional\n",
				"Homepage: https://github.com/cronkit/cronkit\n",
				"Description: Cron job monitoring, metrics and PostgreSQL reports\n ",
			} {
				if !strings.Contains(info, want) {
					t.Errorf("control lacks %q:\n%s", want, info)
				}
			}
			if !regexp.MustCompile(`(?m)^Maintainer: .+ <[^@ ]+@[^> ]+>$`).MatchString(info) {
				t.Errorf("Maintainer is not \"Name <mail>\":\n%s", info)
			}
			// Debian orders a pre-release before its release: 1.2.3~rc.1.
			wantVersion := "Version: " + strings.Replace(r.fversion, "-", "~", 1) + "\n"
			if !strings.Contains(info, wantVersion) {
				t.Errorf("control lacks %q:\n%s", wantVersion, info)
			}
			// dpkg-deb -I also validates the control archive as a whole.
			testutil.Run(t, "", nil, "dpkg-deb", "-I", deb)
		})
		t.Run("deb-contents-"+arch, func(t *testing.T) {
			var want []string
			for _, tool := range tools {
				want = append(want,
					"-rwxr-xr-x root/root ./usr/bin/"+tool,
					"-rw-r--r-- root/root ./usr/share/bash-completion/completions/"+tool,
					"-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_"+tool,
					"-rw-r--r-- root/root ./usr/share/fish/vendor_completions.d/"+tool+".fish")
			}
			for _, p := range wantPages {
				want = append(want, "-rw-r--r-- root/root ./usr/share/man/man1/"+p)
			}
			want = append(want, "-rw-r--r-- root/root ./usr/share/doc/cronkit/README.md",
				"-rw-r--r-- root/root ./usr/share/doc/cronkit/copyright")
			var got []string
			for _, line := range strings.Split(testutil.Run(t, "", nil, "dpkg-deb", "-c", deb), "\n") {
				f := strings.Fields(line)
				if len(f) == 6 && !strings.HasPrefix(f[0], "d") {
					got = append(got, f[0]+" "+f[1]+" "+f[5])
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("dpkg-deb -c:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}

	t.Run("dpkg-install", func(t *testing.T) {
		testutil.NeedProgram(t, "dpkg")
		testutil.NeedProgram(t, "man")
		if os.Geteuid() != 0 {
			t.Skip("dpkg --root needs root")
		}
		deb := filepath.Join(r.dir, "cronkit_"+r.fversion+"_amd64.deb")
		sys := t.TempDir()
		for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
			if err := os.MkdirAll(filepath.Join(sys, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sys, "var/lib/dpkg/status"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		testutil.Run(t, "", nil, "dpkg", "--root="+sys, "-i", deb)
		status := testutil.Run(t, "", nil, "dpkg", "--root="+sys, "-s", "cronkit")
		if !strings.Contains(status, "Status: install ok installed") {
			t.Errorf("dpkg -s:\n%s", status)
		}
		if got := strings.TrimSpace(testutil.Run(t, "", nil, filepath.Join(sys, "usr/bin/runwrap"), "--version")); got != "runwrap "+r.version {
			t.Errorf("installed runwrap --version = %q", got)
		}
		// `man runwrap` as after a real install, with the scratch root's manpath.
		env := []string{"MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "LC_ALL=C.UTF-8"}
		page := testutil.Run(t, "", env, "man", "-M", filepath.Join(sys, "usr/share/man"), "runwrap")
		for _, want := range []string{`RUNWRAP\(1\)`, `\nNAME\n`, `runwrap +- +Wrap a cron command`, `\nEXIT STATUS\n`,
			`124 +the command timed out`, `--ping-url`} {
			if !regexp.MustCompile(want).MatchString(page) {
				t.Errorf("man runwrap lacks %s:\n%s", want, page)
			}
		}
		// Every page renders (man -l) without a groff warning (--warnings).
		for _, p := range wantPages {
			cmd := exec.Command("man", "--warnings=w", "-l", filepath.Join(sys, "usr/share/man/man1", p))
			cmd.Env = append(os.Environ(), env...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || stderr.Len() > 0 || !strings.Contains(string(out), "\nNAME\n") {
				t.Errorf("man -l %s: %v\n%s\n%s", p, err, stderr.String(), out)
			}
		}
		// The bash completion registers itself when sourced.
		out := testutil.Run(t, "", nil, "bash", "-c", "source "+filepath.Join(sys, "usr/share/bash-completion/completions/hcctl")+" && complete -p hcctl")
		if !strings.Contains(out, "hcctl") {
			t.Errorf("bash completion: %s", out)
		}
		testutil.Run(t, "", nil, "dpkg", "--root="+sys, "-r", "cronkit")
		if _, err := os.Stat(filepath.Join(sys, "usr/bin/runwrap")); !os.IsNotExist(err) {
			t.Errorf("dpkg -r left /usr/bin/runwrap: %v", err)
		}
	})
}

// checkExecutable reads the binary's header: the OS and CPU the tarball's
// name promises (ELF: e_ident[EI_OSABI] and e_machine; Mach-O: cputype).
func checkExecutable(t *testing.T, name string, head []byte, tg targetT) {
	t.Helper()
	if len(head) < 20 {
		t.Errorf("%s: %d bytes", name, len(head))
		return
	}
	le := binary.LittleEndian
	switch tg.os {
	case "darwin":
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[tg.arch]
		if le.Uint32(head) != macho.Magic64 || macho.Cpu(le.Uint32(head[4:])) != want {
			t.Errorf("%s: header % x, want 64-bit Mach-O for %v", name, head[:8], want)
		}
	default:
		wantOS := map[string]elf.OSABI{"linux": elf.ELFOSABI_NONE, "freebsd": elf.ELFOSABI_FREEBSD}[tg.os]
		wantCPU := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[tg.arch]
		if string(head[:4]) != elf.ELFMAG || elf.OSABI(head[elf.EI_OSABI]) != wantOS || elf.Machine(le.Uint16(head[18:])) != wantCPU {
			t.Errorf("%s: header % x, want ELF %v %v", name, head[:20], wantOS, wantCPU)
		}
	}
}

// A version dpkg or semver would misread is refused before anything is built.
func TestReleaseBadVersion(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("scripts/release", "1.2")
	cmd.Dir = testutil.ModuleRoot(t)
	cmd.Env = append(os.Environ(), "RELEASE_DIST="+dist)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("scripts/release 1.2: %v, want exit 2\n%s", err, out)
	}
	if want := "release: version \"1.2\" is not semantic (want v1.2.3 or v1.2.3-rc.1)\n"; string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if _, err := os.Stat(dist); !os.IsNotExist(err) {
		t.Errorf("%s was created: %v", dist, err)
	}
}
