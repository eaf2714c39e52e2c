package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is stamped at build time with -ldflags "-X main.version=…" (make build and the
// Dockerfile stamp `git describe --always --dirty`); unstamped, the build information Go
// embeds says what was built.
var version = ""

func runVersion(_ context.Context, env *runEnv, args []string) error {
	if _, _, err := parseConfig("version", "print the version and exit (also: umkmbot --version)", nil, args, env.getenv, env.stderr); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "umkmbot", versionString())
	return nil
}

func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return describeVersion(version, bi)
}

// describeVersion is the stamped version, else the module version Go derived from the
// repository (a tag, or a pseudo-version naming the commit, +dirty when the tree had
// changes), else the commit itself.
func describeVersion(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi == nil {
		return "unknown (no build information)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown (not stamped: build with make build)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
