package provision

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// ciStep is one shell step of a CI snippet.
type ciStep struct {
	Name, Script string
	Env          map[string]string
}

// ciRun is what a pipeline run did: the steps it ran and the exit status of
// the last (non-zero stops the pipeline, as in both CI systems).
type ciRun struct {
	Ran    []string
	Exit   int
	Output string
}

// runSteps runs steps in order under `sh -e -c` (GitHub's `shell: sh`;
// GitLab stops the job at a script line's failure the same way) in dir, with
// env and each step's own env, carrying GITHUB_ENV and GITHUB_PATH between
// steps as GitHub does.
func runSteps(t *testing.T, dir string, env map[string]string, steps []ciStep) ciRun {
	t.Helper()
	env = mapsClone(env)
	ghEnv := filepath.Join(t.TempDir(), "github_env")
	ghPath := filepath.Join(t.TempDir(), "github_path")
	var run ciRun
	for _, s := range steps {
		_ = os.WriteFile(ghEnv, nil, 0o644)
		_ = os.WriteFile(ghPath, nil, 0o644)
		cmd := exec.Command("/bin/sh", "-e", "-c", s.Script)
		cmd.Dir = dir
		all := mapsClone(env)
		for k, v := range s.Env {
			all[k] = v
		}
		all["GITHUB_ENV"], all["GITHUB_PATH"] = ghEnv, ghPath
		for k, v := range all {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		run.Ran = append(run.Ran, s.Name)
		run.Output += fmt.Sprintf("--- %s\n%s", s.Name, out)
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("step %q: %v", s.Name, err)
			}
			run.Exit = ee.ExitCode()
			return run
		}
		b, _ := os.ReadFile(ghEnv)
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				env[k] = v
			}
		}
	}
	return run
}

var ghExpr = regexp.MustCompile(`\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}`)

// githubSteps reads the workflow's deploy job: its run: steps (the install
// step aside: the test puts the built binaries on PATH), with the job's env,
// ${{ secrets.X }} filled in from secrets. It checks the run: steps use sh.
func githubSteps(t *testing.T, secrets map[string]string) (map[string]string, []ciStep) {
	t.Helper()
	var wf struct {
		Defaults struct {
			Run struct{ Shell string }
		}
		Jobs map[string]struct {
			Env   map[string]string
			Steps []struct {
				Name, Run, Uses string
				Env             map[string]string
			}
		}
	}
	readYAML(t, filepath.Join(examples, "ci/github-actions.yml"), &wf)
	if wf.Defaults.Run.Shell != "sh" {
		t.Errorf("defaults.run.shell %q: the test runs the steps under sh", wf.Defaults.Run.Shell)
	}
	job, ok := wf.Jobs["deploy"]
	if !ok {
		t.Fatal("no deploy job")
	}
	sub := func(s string) string {
		s = ghExpr.ReplaceAllStringFunc(s, func(m string) string { return secrets[ghExpr.FindStringSubmatch(m)[1]] })
		if strings.Contains(s, "${{") {
			t.Fatalf("an expression the test cannot evaluate: %q", s)
		}
		return s
	}
	env := map[string]string{}
	for k, v := range job.Env {
		env[k] = sub(v)
	}
	var steps []ciStep
	for _, s := range job.Steps {
		if s.Run == "" || strings.HasPrefix(s.Name, "Install") {
			continue
		}
		st := ciStep{Name: s.Name, Script: sub(s.Run), Env: map[string]string{}}
		for k, v := range s.Env {
			st.Env[k] = sub(v)
		}
		steps = append(steps, st)
	}
	return env, steps
}

// gitlabSteps reads the deploy job's script: lines (before_script installs).
func gitlabSteps(t *testing.T) []ciStep {
	t.Helper()
	var ci map[string]struct {
		Script []string
	}
	readYAML(t, filepath.Join(examples, "ci/gitlab-ci.yml"), &ci)
	job, ok := ci["deploy"]
	if !ok || len(job.Script) == 0 {
		t.Fatal("no deploy job with a script")
	}
	// One shell runs all lines of a job's script: variables carry over.
	return []ciStep{{Name: "script", Script: strings.Join(job.Script, "\n")}}
}

// TestCISnippets runs the GitHub Actions and GitLab CI snippets' shell steps
// against the fake Healthchecks: the gate passes while production's checks
// are up and stops the pipeline (exit 1, no deploy) when one is down; the
// pipeline's own check is created once (a second run writes nothing) and
// gets the deploy's start and success pings, or a failure when it fails.
func TestCISnippets(t *testing.T) {
	t.Parallel()
	for _, system := range []string{"github", "gitlab"} {
		t.Run(system, func(t *testing.T) {
			t.Parallel()
			hc := fakehc.Start(t, fakehc.Options{})
			prod := hc.AddCheck(fakehc.Spec{Name: "db7-pgreport", Slug: "db7-pgreport", Tags: "prod"})
			ping(t, hc.PingURL(prod))

			env := map[string]string{
				"PATH":       binDir + ":/usr/bin:/bin",
				"HOME":       t.TempDir(),
				"HC_API_URL": hc.URL,
			}
			var steps []ciStep
			if system == "github" {
				jobEnv, s := githubSteps(t, map[string]string{"HC_API_KEY": fakehc.DefaultAPIKey})
				for k, v := range jobEnv {
					env[k] = v
				}
				env["GITHUB_REPOSITORY"] = "acme/shop"
				steps = s
			} else {
				env["HC_API_KEY"] = fakehc.DefaultAPIKey // a masked CI/CD variable
				env["CI_PROJECT_NAME"] = "shop"
				steps = gitlabSteps(t)
			}
			if env["HC_API_KEY"] != fakehc.DefaultAPIKey {
				t.Fatalf("HC_API_KEY does not reach the steps")
			}

			work := t.TempDir()
			deployed := filepath.Join(work, "deployed")
			writeDeploy := func(exit int) {
				script := fmt.Sprintf("#!/bin/sh\necho deploying\necho x >> %s\nexit %d\n", deployed, exit)
				if err := os.WriteFile(filepath.Join(work, "deploy.sh"), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			deploys := func() int { b, _ := os.ReadFile(deployed); return strings.Count(string(b), "x") }

			// 1. All up: every step runs, the check is created and pinged.
			writeDeploy(0)
			if r := runSteps(t, work, env, steps); r.Exit != 0 {
				t.Fatalf("pipeline failed (exit %d):\n%s", r.Exit, r.Output)
			}
			if deploys() != 1 {
				t.Fatalf("deploy.sh ran %d times", deploys())
			}
			var check fakehc.CheckInfo
			for _, c := range hc.Checks() {
				if c.Name == "deploy-shop" {
					check = c
				}
			}
			if check.UUID == "" {
				t.Fatalf("the pipeline's check deploy-shop was not created: %+v", hc.Checks())
			}
			if kinds := pingKinds(hc, check.UUID); kinds != "start success" {
				t.Errorf("pipeline check pings %q, want start success", kinds)
			}

			// 2. Again: ensure writes nothing; a failing deploy fails the step and pings fail.
			writes := hc.Writes()
			writeDeploy(3)
			r := runSteps(t, work, env, steps)
			if r.Exit != 3 {
				t.Errorf("failing deploy: pipeline exit %d, want 3:\n%s", r.Exit, r.Output)
			}
			if hc.Writes() != writes {
				t.Errorf("second run: %d writes, want none (ensure is idempotent)", hc.Writes()-writes)
			}
			if kinds := pingKinds(hc, check.UUID); kinds != "start success start fail" {
				t.Errorf("pipeline check pings %q, want a fail ping after the failed deploy", kinds)
			}

			// 3. A production check down: the gate stops the pipeline before the deploy.
			ping(t, hc.PingURL(prod)+"/fail")
			writeDeploy(0)
			r = runSteps(t, work, env, steps)
			if r.Exit != 1 {
				t.Errorf("gate with a check down: exit %d, want 1:\n%s", r.Exit, r.Output)
			}
			if deploys() != 2 {
				t.Errorf("deploy.sh ran with a production check down")
			}
			if !strings.Contains(r.Output, "db7-pgreport") {
				t.Errorf("the gate's output does not name the down check:\n%s", r.Output)
			}

			// 4. No check carries the tag (renamed, or a typo): the gate fails too.
			if out, err := exec.Command(filepath.Join(binDir, "hcctl"), "--api-url", hc.URL, "--api-key", fakehc.DefaultAPIKey,
				"checks", "delete", "--yes", "db7-pgreport").CombinedOutput(); err != nil {
				t.Fatalf("hcctl checks delete: %v\n%s", err, out)
			}
			r = runSteps(t, work, env, steps)
			if r.Exit != 2 || deploys() != 2 {
				t.Errorf("gate with no prod check: exit %d, want 2, and no deploy:\n%s", r.Exit, r.Output)
			}
		})
	}
}

func ping(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %s", url, resp.Status)
	}
}

func pingKinds(hc *fakehc.Fake, uuid string) string {
	var k []string
	for _, p := range hc.Pings(uuid) {
		k = append(k, p.Kind)
	}
	return strings.Join(k, " ")
}
