// Command umkmbot is the one binary of the umkmbot service: it migrates the database, runs the
// bot, and lets a person talk to the conversation engine in a terminal.
//
//	umkmbot migrate    apply the database schema and exit
//	umkmbot chat       talk to the bot in a terminal, with no Telegram token
//	umkmbot import     apply status changes from a CSV file (BPOM or OSS records)
//	umkmbot export     write applications, owners or trainings as a CSV file
//	umkmbot jobs       list the scheduled jobs, or run one now (jobs run NAME)
//	umkmbot bench      load benchmark: serve against a fake Telegram with simulated owners
//	umkmbot version    print the version (also --version)
//	umkmbot help       list the commands; umkmbot CMD -h lists a command's flags and variables
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the binary.
type command struct {
	summary string
	run     func(ctx context.Context, env *runEnv, args []string) error
}

// runEnv is the process around a command, injectable for tests.
type runEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() map[string]command {
	return map[string]command{
		"migrate":     {"apply the database schema and exit", runMigrate},
		"version":     {"print the version and exit", runVersion},
		"chat":        {"talk to the bot in a terminal, with no Telegram token", runChat},
		"healthcheck": {"exit 0 when a running umkmbot serve answers /healthz", runHealthcheck},
		"serve":       {"run the bot: Telegram intake, conversations, sender, health endpoints", runServe},
		"import":      {"apply status changes from a CSV file", runImport},
		"export":      {"write applications, owners or trainings as a CSV file", runExport},
		"bench":       {"load benchmark: serve against a fake Telegram with simulated owners", runBench},
		"jobs":        {"list the scheduled jobs and their next run, or run one now (jobs run NAME)", runJobs},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &runEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, env *runEnv) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				return exitCode(c.run(ctx, env, []string{"-h"}), env)
			}
		}
		usage(env.stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "umkmbot: unknown command %q\n\n", args[0])
		usage(env.stderr, cmds)
		return 2
	}
	return exitCode(c.run(ctx, env, args[1:]), env)
}

func exitCode(err error, env *runEnv) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(env.stderr, "umkmbot: %v\n", err)
		return 1
	}
}

var errUsage = errors.New("usage")

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "umkmbot — the UMKM permit assistant bot of Nusa Tenggara Timur")
	fmt.Fprintln(w, "\nusage: umkmbot COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\n`umkmbot COMMAND -h` lists the command's flags and environment variables.")
}

func runMigrate(ctx context.Context, env *runEnv, args []string) error {
	cfg, _, err := parseConfig("migrate", "Apply every database migration that has not been applied yet, then exit.\nWith DATABASE_URL unset, the embedded PostgreSQL under DATA_DIR is used (and created on first run).",
		commonEnv, args, env.getenv, env.stderr)
	if err != nil {
		return err
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Store.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 {
		log.Info("schema is up to date", "version", res.Version)
	} else {
		log.Info("schema migrated", "applied", res.Applied, "version", res.Version)
	}
	return nil
}
