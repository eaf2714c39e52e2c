package pgembed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinDir(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"9.6/bin", "15/bin", "16/bin"} {
		writeTools(t, filepath.Join(root, dir), serverTools...)
	}
	writeTools(t, filepath.Join(root, "17/bin"), "initdb") // incomplete: skipped
	writeTools(t, filepath.Join(root, "notaversion/bin"), serverTools...)

	beside := filepath.Join(root, "path-beside")
	linked := filepath.Join(root, "path-linked")
	lonely := filepath.Join(root, "path-lonely")
	for _, tool := range serverTools {
		symlink(t, filepath.Join(root, "15/bin", tool), filepath.Join(beside, tool))
	}
	symlink(t, filepath.Join(root, "15/bin/initdb"), filepath.Join(linked, "initdb"))
	writeTools(t, lonely, "initdb")

	tests := []struct {
		name         string
		override     string
		path         string
		versionsRoot string
		want         string
	}{
		{"override wins", filepath.Join(root, "9.6/bin"), beside, root, filepath.Join(root, "9.6/bin")},
		{"initdb on PATH with its tools beside it", "", beside, root, beside},
		{"initdb on PATH links to its installation", "", linked, root, filepath.Join(root, "15/bin")},
		{"initdb on PATH alone falls back to newest version", "", lonely, root, filepath.Join(root, "16/bin")},
		{"newest version by number", "", "", root, filepath.Join(root, "16/bin")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findBinDir(tt.override, tt.path, tt.versionsRoot)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("findBinDir = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFindBinDirWithoutPostgres(t *testing.T) {
	empty := t.TempDir()
	missing := filepath.Join(empty, "no-such-dir")
	tests := []struct {
		name         string
		override     string
		path         string
		versionsRoot string
	}{
		{"nothing anywhere", "", "", missing},
		{"bogus override", missing, "", missing},
		{"PATH without postgres", "", empty, empty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := findBinDir(tt.override, tt.path, tt.versionsRoot)
			if !errors.Is(err, ErrNoPostgres) {
				t.Fatalf("err = %v, want ErrNoPostgres", err)
			}
			for _, hint := range []string{"apt-get install postgresql", "brew install postgresql", "DATABASE_URL"} {
				if !strings.Contains(err.Error(), hint) {
					t.Errorf("error %q does not say %q", err, hint)
				}
			}
		})
	}
}

func writeTools(t *testing.T, dir string, tools ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools {
		if err := os.WriteFile(filepath.Join(dir, tool), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
