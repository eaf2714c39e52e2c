package main

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "30ade4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7"
	for _, c := range []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"stamped wins", "v1.4.0-3-g30ade4f", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}, Settings: vcs(rev, "true")}, "v1.4.0-3-g30ade4f"},
		{"module version from the repository", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20251127131300-30ade4f1c2d3+dirty"}, Settings: vcs(rev, "true")}, "v0.0.0-20251127131300-30ade4f1c2d3+dirty"},
		{"revision, changed tree", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "30ade4f1c2d3-dirty"},
		{"revision, clean tree", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "30ade4f1c2d3"},
		{"nothing known", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "unknown (not stamped: build with make build)"},
		{"no build information", "", nil, "unknown (no build information)"},
	} {
		if got := describeVersion(c.stamped, c.bi); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// version, --version and -version print the same line.
func TestVersionCommands(t *testing.T) {
	want := "umkmbot " + versionString() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out := runCmd(t, nil, args...)
		if code != 0 || out != want {
			t.Errorf("umkmbot %s: exit %d, %q, want %q", args[0], code, out, want)
		}
	}
}

// A binary built as make build and the Dockerfile build it prints the version stamped in.
func TestVersionStamped(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "umkmbot")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "umkmbot v9.8.7-test" {
		t.Fatalf("--version: %q, %v", out, err)
	}
}
