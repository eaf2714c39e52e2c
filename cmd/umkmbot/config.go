package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything the binary reads from its environment, after validation.
type Config struct {
	DatabaseURL string
	DataDir     string
	PGBinDir    string
	Token       string
	APIURL      string
	ListenAddr  string
	LogLevel    string
	LogFormat   string
	TZ          string
	Location    *time.Location
	AdminIDs    []int64
	AppPrefix   string
	// Delivery rates (serve): messages per second overall and to one chat, and whether
	// broadcasts use Telegram's paid broadcasts (allow_paid_broadcast, up to 1000/s).
	SendRate, ChatRate float64
	PaidBroadcast      bool
}

// setting is one configuration value: an environment variable with a flag that overrides it.
type setting struct {
	env, flag, def, help string
	secret               bool // never printed, never echoed in an error
	dst                  *string
	check                func(string) error
}

// settings lists every setting; a subcommand picks the ones it uses by env name.
func (c *Config) settings() []*setting {
	return []*setting{
		{env: "DATABASE_URL", flag: "database-url", help: "PostgreSQL URL; unset = embedded PostgreSQL under DATA_DIR", secret: true, dst: &c.DatabaseURL, check: checkDatabaseURL},
		{env: "DATA_DIR", flag: "data-dir", def: "./data", help: "where the embedded PostgreSQL keeps its data", dst: &c.DataDir, check: nonEmpty},
		{env: "PG_BINDIR", flag: "pg-bindir", help: "directory of initdb/postgres for the embedded default (else PATH, then /usr/lib/postgresql/*/bin)", dst: &c.PGBinDir},
		{env: "TELEGRAM_BOT_TOKEN", flag: "token", help: "bot token from @BotFather", secret: true, dst: &c.Token, check: checkToken},
		{env: "TELEGRAM_API_URL", flag: "api-url", def: "https://api.telegram.org", help: "Bot API base URL, without /bot<token>", dst: &c.APIURL, check: checkHTTPURL},
		{env: "LISTEN_ADDR", flag: "listen", def: ":8080", help: "address of /healthz, /readyz, /metrics and the webhook", dst: &c.ListenAddr, check: nonEmpty},
		{env: "LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error", dst: &c.LogLevel, check: oneOf("debug", "info", "warn", "error")},
		{env: "LOG_FORMAT", flag: "log-format", def: "text", help: "text or json", dst: &c.LogFormat, check: oneOf("text", "json")},
		{env: "TZ", flag: "tz", def: "Asia/Makassar", help: "time zone people see (WITA)", dst: &c.TZ, check: checkTZ},
		{env: "ADMIN_TELEGRAM_IDS", flag: "admins", help: "comma-separated Telegram user ids of the BPOM admins", dst: new(string), check: c.parseAdmins},
		{env: "APP_NUMBER_PREFIX", flag: "app-prefix", def: "NTT", help: "prefix of application numbers (NTT-XXXX-XXXX)", dst: &c.AppPrefix, check: checkPrefix},
		{env: "SEND_RATE", flag: "send-rate", def: "25", help: "messages per second sent overall (Telegram allows about 30)", dst: new(string), check: rate(&c.SendRate, 1000)},
		{env: "SEND_CHAT_RATE", flag: "send-chat-rate", def: "1", help: "messages per second to one chat, sustained (Telegram allows about 1)", dst: new(string), check: rate(&c.ChatRate, 100)},
		{env: "PAID_BROADCAST", flag: "paid-broadcast", def: "false", help: "send broadcasts as Telegram paid broadcasts (allow_paid_broadcast, up to 1000/s; costs Stars)", dst: new(string), check: boolean(&c.PaidBroadcast)},
	}
}

// commonEnv are the settings every data-using subcommand reads.
var commonEnv = []string{"DATABASE_URL", "DATA_DIR", "PG_BINDIR", "LOG_LEVEL", "LOG_FORMAT", "TZ"}

// parseConfig reads the named settings from the environment and then from args (flags win),
// and validates them. It returns flag.ErrHelp after printing usage for -h.
func parseConfig(name, summary string, envs []string, args []string, getenv func(string) string, out io.Writer) (*Config, []string, error) {
	return parseConfigWith(name, summary, envs, args, &runEnv{getenv: getenv, stderr: out}, nil)
}

// parseConfigWith is parseConfig for a command with flags of its own, declared on fs.
func parseConfigWith(name, summary string, envs []string, args []string, env *runEnv, fs *flag.FlagSet) (*Config, []string, error) {
	c := &Config{}
	if fs == nil {
		fs = flag.NewFlagSet(name, flag.ContinueOnError)
	}
	out := env.stderr
	fs.SetOutput(out)
	var used []*setting
	for _, s := range c.settings() {
		if !contains(envs, s.env) {
			continue
		}
		used = append(used, s)
		// The flag's default is the setting's own default, not the environment's value, so that
		// -h never prints a secret; the environment is applied below to flags not given.
		fs.StringVar(s.dst, s.flag, s.def, s.help+" (env "+s.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: umkmbot %s [flags]\n\n%s\n", name, summary)
		if len(used) > 0 {
			fmt.Fprintln(out, "\nenvironment variables (a flag of the same meaning overrides each):")
			for _, s := range used {
				def := ""
				if s.def != "" {
					def = " (default " + s.def + ")"
				}
				fmt.Fprintf(out, "  %-20s %s%s\n", s.env, s.help, def)
			}
		}
		fmt.Fprintln(out, "\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range used {
		if v := env.getenv(s.env); v != "" && !given[s.flag] {
			*s.dst = v
		}
	}
	var errs []error
	for _, s := range used {
		if s.check == nil {
			continue
		}
		if err := s.check(strings.TrimSpace(*s.dst)); err != nil {
			if s.secret {
				errs = append(errs, fmt.Errorf("%s: %v", s.env, err))
			} else {
				errs = append(errs, fmt.Errorf("%s=%q: %v", s.env, *s.dst, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	if c.TZ == "" {
		c.TZ = "Asia/Makassar"
	}
	c.Location, _ = time.LoadLocation(c.TZ)
	return c, fs.Args(), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func nonEmpty(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func oneOf(opts ...string) func(string) error {
	return func(v string) error {
		if contains(opts, strings.ToLower(v)) {
			return nil
		}
		return fmt.Errorf("must be one of %s", strings.Join(opts, ", "))
	}
}

func checkDatabaseURL(v string) error {
	if v == "" {
		return nil
	}
	if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
		if _, err := url.Parse(v); err != nil {
			return errors.New("is not a valid URL") // url's error would quote the password
		}
		return nil
	}
	if strings.Contains(v, "=") { // key=value DSN
		return nil
	}
	return errors.New("must be a postgres:// URL or a key=value DSN")
}

func checkToken(v string) error {
	if v == "" {
		return nil // checked by the subcommands that need one
	}
	id, secret, ok := strings.Cut(v, ":")
	if !ok || secret == "" {
		return errors.New("does not look like a bot token (<digits>:<secret>); get one from @BotFather")
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return errors.New("does not look like a bot token (<digits>:<secret>); get one from @BotFather")
	}
	return nil
}

// rate parses a positive number of messages per second, at most max.
func rate(dst *float64, max float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > max {
			return fmt.Errorf("must be a number of messages per second above 0 and at most %g", max)
		}
		*dst = f
		return nil
	}
}

// boolean parses true/false (also 1/0, yes/no).
func boolean(dst *bool) func(string) error {
	return func(v string) error {
		switch strings.ToLower(v) {
		case "true", "1", "yes", "on":
			*dst = true
		case "false", "0", "no", "off", "":
			*dst = false
		default:
			return errors.New("must be true or false")
		}
		return nil
	}
}

func checkHTTPURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http(s) URL")
	}
	return nil
}

func checkTZ(v string) error {
	if _, err := time.LoadLocation(v); err != nil {
		return errors.New("is not a known IANA time zone (e.g. Asia/Makassar)")
	}
	return nil
}

func checkPrefix(v string) error {
	if v == "" || len(v) > 8 {
		return errors.New("must be 1 to 8 letters")
	}
	for _, r := range v {
		if r < 'A' || r > 'Z' {
			return errors.New("must be capital letters A-Z")
		}
	}
	return nil
}

func (c *Config) parseAdmins(v string) error {
	c.AdminIDs = nil
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%q is not a Telegram user id (a positive number)", f)
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	return nil
}
