package pgembed

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoPostgres reports that no PostgreSQL server binaries were found on this machine.
var ErrNoPostgres = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found: " +
	"install them with `apt-get install postgresql` (Debian/Ubuntu) or `brew install postgresql` (macOS), " +
	"or set DATABASE_URL to an existing PostgreSQL server")

// debianRoot is where Debian and Ubuntu install one bin directory per PostgreSQL major version.
const debianRoot = "/usr/lib/postgresql"

// serverTools are the binaries the embedded server needs, all from one installation.
var serverTools = []string{"initdb", "pg_ctl", "postgres"}

// FindBinDir returns the directory holding initdb, pg_ctl and postgres. It looks at override
// (or $PG_BINDIR when override is empty), then at initdb on $PATH, then at the newest
// /usr/lib/postgresql/*/bin. Without any, the error wraps ErrNoPostgres, which says how to
// install PostgreSQL.
func FindBinDir(override string) (string, error) {
	if override == "" {
		override = os.Getenv("PG_BINDIR")
	}
	return findBinDir(override, os.Getenv("PATH"), debianRoot)
}

func findBinDir(override, pathList, versionsRoot string) (string, error) {
	if override != "" {
		if !hasServerTools(override) {
			return "", fmt.Errorf("PostgreSQL bin directory %q lacks one of %s: %w",
				override, strings.Join(serverTools, ", "), ErrNoPostgres)
		}
		return override, nil
	}
	if dir, ok := binDirOnPath(pathList); ok {
		return dir, nil
	}
	if dir, ok := newestVersionBinDir(versionsRoot); ok {
		return dir, nil
	}
	return "", fmt.Errorf("looked in $PG_BINDIR, $PATH and %s/*/bin: %w", versionsRoot, ErrNoPostgres)
}

// binDirOnPath finds initdb on pathList and returns its directory, or the directory its
// symlink points to (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb), whichever
// also holds pg_ctl and postgres.
func binDirOnPath(pathList string) (string, bool) {
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue
		}
		initdb := filepath.Join(dir, "initdb")
		if !isExecutable(initdb) {
			continue
		}
		if hasServerTools(dir) {
			return dir, true
		}
		if target, err := filepath.EvalSymlinks(initdb); err == nil && hasServerTools(filepath.Dir(target)) {
			return filepath.Dir(target), true
		}
	}
	return "", false
}

// newestVersionBinDir returns root/VERSION/bin for the highest VERSION holding the tools,
// comparing versions as numbers so that 9.6 < 15 < 16.
func newestVersionBinDir(root string) (string, bool) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return "", false
	}
	type candidate struct {
		version float64
		dir     string
	}
	var found []candidate
	for _, e := range entries {
		v, err := strconv.ParseFloat(e.Name(), 64)
		if err != nil {
			continue
		}
		dir := filepath.Join(root, e.Name(), "bin")
		if hasServerTools(dir) {
			found = append(found, candidate{v, dir})
		}
	}
	if len(found) == 0 {
		return "", false
	}
	newest := slices.MaxFunc(found, func(a, b candidate) int { return cmp.Compare(a.version, b.version) })
	return newest.dir, true
}

func hasServerTools(dir string) bool {
	for _, tool := range serverTools {
		if !isExecutable(filepath.Join(dir, tool)) {
			return false
		}
	}
	return true
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}
