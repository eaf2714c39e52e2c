package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"umkmbot/flows/staff"
	"umkmbot/store"
)

const exportSummary = `Write applications, owners or trainings as a CSV file (UTF-8, a header line first):

  umkmbot export applications|owners|trainings --out FILE.csv [--with-personal-data]

Names, phone numbers, business names and NIB are written only with --with-personal-data; keep
such a file as you would the database. Staff are not owners: the owners export leaves them out
(unless they keep a business of their own). Dates are WITA.`

func runExport(ctx context.Context, env *runEnv, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("out", "", "the CSV file to write (- for standard output)")
	personal := fs.Bool("with-personal-data", false, "include names, phone numbers, business names and NIB")
	// The kind comes first (umkmbot export owners --out x.csv): flags after it are parsed too.
	kind := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		kind, args = args[0], args[1:]
	}
	cfg, rest, err := parseConfigWith("export", exportSummary, commonEnv, args, env, fs)
	if err != nil {
		return err
	}
	if kind == "" && len(rest) == 1 {
		kind, rest = rest[0], nil
	}
	if !slices.Contains(store.ExportKinds(), kind) || len(rest) > 0 || *out == "" {
		fmt.Fprintln(env.stderr, "usage: umkmbot export applications|owners|trainings --out FILE.csv [--with-personal-data]")
		return errUsage
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	var w io.Writer = env.stdout
	var f *os.File
	if *out != "-" {
		// Created private: an export may hold personal data.
		if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return err
		}
		w = f
	}
	n, err := staff.WriteExport(ctx, db.Store.DB(), w, kind, *personal, store.ExportScope{})
	if f != nil {
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(env.stdout, "%s: %d rows\n", *out, n)
	}
	return nil
}
