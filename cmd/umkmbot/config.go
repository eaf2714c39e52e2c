package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"umkmbot/bot"
	"umkmbot/flows/jobs"
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
	// TelegramRate is what Telegram allows the bot overall, replies and bulk together; 0 = no
	// overall budget (a local Bot API server).
	TelegramRate  float64
	PaidBroadcast bool
	// Webhook intake (serve): the public URL and its secret; both empty for long polling.
	WebhookURL, WebhookSecret string
	// DispatchWorkers is how many chats serve handles at once.
	DispatchWorkers int
	// MetricsAddr, when set, is where /metrics, /healthz and /readyz listen instead of ListenAddr.
	MetricsAddr string
	// PoolMaxConns is the database pool's size; 0 = the command's own choice (serve sizes it from
	// its workers). A pool_max_conns in DATABASE_URL wins over both.
	PoolMaxConns int32
	// DBWait is how long to wait for DATABASE_URL's server to answer at start.
	DBWait time.Duration
	// SendWorkers is how many Telegram calls the sender makes at once; 0 = its default.
	SendWorkers int
	// Webhook delivery: Telegram's max_connections, and how long an update may wait for an
	// earlier one still on its way (posts on parallel connections race).
	WebhookMaxConns int
	WebhookHold     time.Duration
	// Retention windows of the housekeeping (serve).
	RetainInbox, RetainLookups, RetainDrafts, RetainAudit, RetainOutbox time.Duration
	// Schedules of the scheduled jobs (standard cron syntax, read in WITA), and the reminders'
	// timing: the hour a day-based reminder is due, how long before a training its last one goes.
	JobHousekeeping, JobTrainingReminders, JobCorrectionDeadlines, JobMissingDocuments, JobIdleDrafts string
	JobPaymentDue, JobPermitExpiry, JobStaffDigest, JobCorrectionsLapsed, JobTrainingOpenings         string
	RemindHour                                                                                        int
	TrainingRemindBefore                                                                              time.Duration
	// JobStaffNotices is how often held staff notices are looked at; StaffNoticeDelay how long the
	// first notice to a staff chat waits for others to go with it as one message.
	JobStaffNotices  string
	StaffNoticeDelay time.Duration
	// PermitOffsets are the permit-expiry reminders per path code (PERMIT_REMIND_<CODE>).
	PermitOffsets map[string][]jobs.PermitOffset
}

// setting is one configuration value: an environment variable with a flag that overrides it.
type setting struct {
	env, flag, def, help string
	// secret: never printed, never echoed in an error. A secret has no flag (a flag shows in the
	// process list) unless it is a URL that may merely hold a password.
	secret bool
	// file: the value may instead be read from the file named by ENV_FILE (a Docker or systemd
	// secret), trimmed; setting both is an error.
	file  bool
	dst   *string
	check func(string) error
}

// settings lists every setting; a subcommand picks the ones it uses by env name.
func (c *Config) settings() []*setting {
	return append([]*setting{
		{env: "DATABASE_URL", flag: "database-url", help: "PostgreSQL URL; unset = embedded PostgreSQL under DATA_DIR", secret: true, dst: &c.DatabaseURL, check: checkDatabaseURL},
		{env: "DATA_DIR", flag: "data-dir", def: "./data", help: "where the embedded PostgreSQL keeps its data", dst: &c.DataDir, check: nonEmpty},
		{env: "PG_BINDIR", flag: "pg-bindir", help: "directory of initdb/postgres for the embedded default (else PATH, then /usr/lib/postgresql/*/bin)", dst: &c.PGBinDir},
		{env: "DB_WAIT", flag: "db-wait", def: "60s", help: "how long to wait for DATABASE_URL's server to answer at start, retrying with backoff (0 = not at all)", dst: new(string), check: waitDuration(&c.DBWait)},
		{env: "TELEGRAM_BOT_TOKEN", help: "bot token from @BotFather; no flag, so it never shows in a process list", secret: true, file: true, dst: &c.Token, check: checkToken},
		{env: "TELEGRAM_API_URL", flag: "api-url", def: "https://api.telegram.org", help: "Bot API base URL, without /bot<token>", dst: &c.APIURL, check: checkHTTPURL},
		{env: "LISTEN_ADDR", flag: "listen", def: ":8080", help: "address of the webhook, and of /healthz, /readyz and /metrics unless METRICS_ADDR is set", dst: &c.ListenAddr, check: checkListenAddr},
		{env: "METRICS_ADDR", flag: "metrics-addr", help: "own address of /metrics, /healthz and /readyz (e.g. 127.0.0.1:9090), kept off the public webhook listener; unset = on LISTEN_ADDR", dst: &c.MetricsAddr, check: optional(checkListenAddr)},
		{env: "WEBHOOK_URL", flag: "webhook-url", help: "public https URL Telegram posts updates to; unset = long polling (http only to a loopback host: a local Bot API server or a test fake)", dst: &c.WebhookURL, check: checkWebhookURL},
		{env: "WEBHOOK_SECRET", help: "1-256 characters of A-Z a-z 0-9 _ -, required with WEBHOOK_URL; no flag", secret: true, file: true, dst: &c.WebhookSecret, check: optional(bot.CheckWebhookSecret)},
		{env: "LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error", dst: &c.LogLevel, check: oneOf("debug", "info", "warn", "error")},
		{env: "LOG_FORMAT", flag: "log-format", def: "text", help: "text or json", dst: &c.LogFormat, check: oneOf("text", "json")},
		{env: "TZ", flag: "tz", def: "Asia/Makassar", help: "time zone people see (WITA)", dst: &c.TZ, check: checkTZ},
		{env: "ADMIN_TELEGRAM_IDS", flag: "admins", help: "comma-separated Telegram user ids of the BPOM admins", dst: new(string), check: c.parseAdmins},
		{env: "APP_NUMBER_PREFIX", flag: "app-prefix", def: "NTT", help: "prefix of application numbers (NTT-XXXX-XXXX)", dst: &c.AppPrefix, check: checkPrefix},
		{env: "SEND_RATE", flag: "send-rate", def: "25", help: "reminders and broadcasts per second (Telegram allows about 30 for bulk; more with a local Bot API server). Replies are not counted: only Telegram's 429 holds them back", dst: new(string), check: rate(&c.SendRate, 100000)},
		{env: "TELEGRAM_RATE", flag: "telegram-rate", def: "30", help: "messages per second Telegram allows the bot overall, replies and bulk together: reminders and broadcasts give way to replies within it (0 = no overall limit, for a local Bot API server)", dst: new(string), check: rateOrZero(&c.TelegramRate, 100000)},
		{env: "SEND_CHAT_RATE", flag: "send-chat-rate", def: "1", help: "messages per second to one chat, sustained (Telegram allows about 1; a reply may burst 3)", dst: new(string), check: rate(&c.ChatRate, 1000)},
		{env: "SEND_WORKERS", flag: "send-workers", help: "Telegram calls in flight at once (1-1000); unset = 32, or 64 with PAID_BROADCAST", dst: new(string), check: optional(integer(&c.SendWorkers, 1, 1000))},
		{env: "WEBHOOK_MAX_CONNECTIONS", flag: "webhook-max-connections", def: "40", help: "Telegram's max_connections for the webhook (1-100): parallel posts; more means more updates may arrive out of order", dst: new(string), check: integer(&c.WebhookMaxConns, 1, 100)},
		{env: "WEBHOOK_ORDER_HOLD", flag: "webhook-order-hold", def: "200ms", help: "how long a webhook update may wait for an earlier one of the bot still on its way, so one chat's updates are handled in order (0 = never wait)", dst: new(string), check: durationWithin(&c.WebhookHold, 0, 5*time.Second)},
		{env: "RETAIN_INBOX", flag: "retain-inbox", def: "168h", help: "how long handled updates are kept to recognise Telegram's redeliveries (at most 168h: Telegram may number updates anew after a week)", dst: new(string), check: durationWithin(&c.RetainInbox, time.Hour, 168*time.Hour)},
		{env: "RETAIN_LOOKUPS", flag: "retain-lookups", def: "24h", help: "how long status lookups are kept for the lookup limit (at most 24h: the account help text promises it)", dst: new(string), check: durationWithin(&c.RetainLookups, time.Hour, 24*time.Hour)},
		{env: "RETAIN_DRAFTS", flag: "retain-drafts", def: "2160h", help: "how long an untouched conversation or a draft set aside is kept (90 days)", dst: new(string), check: durationWithin(&c.RetainDrafts, 24*time.Hour, 10*365*24*time.Hour)},
		{env: "RETAIN_AUDIT", flag: "retain-audit", def: "17520h", help: "how long the audit log is kept (2 years)", dst: new(string), check: durationWithin(&c.RetainAudit, 24*time.Hour, 20*365*24*time.Hour)},
		{env: "RETAIN_OUTBOX", flag: "retain-outbox", def: "2160h", help: "how long the record of undeliverable messages and the dedupe keys of queued ones are kept (90 days; at least 31 days: a job may catch up on a reminder for 30 days, and its key must still be there to keep it from going twice)", dst: new(string), check: durationWithin(&c.RetainOutbox, 31*24*time.Hour, 10*365*24*time.Hour)},
		{env: "JOB_HOUSEKEEPING", flag: "job-housekeeping", def: "0 * * * *", help: "when the housekeeping job prunes what the RETAIN_* windows let go (cron syntax, WITA)", dst: &c.JobHousekeeping, check: checkCron},
		{env: "JOB_TRAINING_REMINDERS", flag: "job-training-reminders", def: "*/10 * * * *", help: "when the training reminders are decided (cron syntax, WITA); each run catches up on what is due and not yet sent", dst: &c.JobTrainingReminders, check: checkCron},
		{env: "JOB_CORRECTION_DEADLINES", flag: "job-correction-deadlines", def: "0 8-20 * * *", help: "when the correction-deadline reminders are decided (cron syntax, WITA; the default runs hourly in the daytime, so a catch-up after downtime never goes out at night)", dst: &c.JobCorrectionDeadlines, check: checkCron},
		{env: "JOB_MISSING_DOCUMENTS", flag: "job-missing-documents", def: "0 8-20 * * *", help: "when owners are reminded of required documents they left for later (cron syntax, WITA; daytime by default)", dst: &c.JobMissingDocuments, check: checkCron},
		{env: "JOB_IDLE_DRAFTS", flag: "job-idle-drafts", def: "0 8-20 * * *", help: "when owners with a registration left unfinished for 2 days are nudged once (cron syntax, WITA; the default runs hourly in the daytime only)", dst: &c.JobIdleDrafts, check: checkCron},
		{env: "JOB_PAYMENT_DUE", flag: "job-payment-due", def: "0 8-20 * * *", help: "when owners are reminded of a payment order about to lapse (cron syntax, WITA; daytime by default)", dst: &c.JobPaymentDue, check: checkCron},
		{env: "JOB_PERMIT_EXPIRY", flag: "job-permit-expiry", def: "0 9 * * *", help: "when owners of approved permits are reminded before the permit lapses (cron syntax, WITA)", dst: &c.JobPermitExpiry, check: checkCron},
		{env: "JOB_CORRECTIONS_LAPSED", flag: "job-corrections-lapsed", def: "0 8-20 * * *", help: "when staff are told which corrections lapsed unanswered in their office (cron syntax, WITA; daytime by default)", dst: &c.JobCorrectionsLapsed, check: checkCron},
		{env: "JOB_TRAINING_OPENINGS", flag: "job-training-openings", def: "*/15 8-20 * * *", help: "when owners who asked to be told (Beri tahu saya) hear of a training of that kind opening in their kabupaten (cron syntax, WITA; daytime by default)", dst: &c.JobTrainingOpenings, check: checkCron},
		{env: "JOB_STAFF_DIGEST", flag: "job-staff-digest", def: "0 8 * * 1", help: "when staff get their office's weekly digest (cron syntax, WITA; Mondays 08:00; only a Monday run sends it)", dst: &c.JobStaffDigest, check: checkCron},
		{env: "JOB_STAFF_NOTICES", flag: "job-staff-notices", def: "@every 20s", help: "how often the notices held for staff are sent (cron syntax or @every): a staff chat's notices go as one message once the first has waited STAFF_NOTICE_DELAY", dst: &c.JobStaffNotices, check: checkCron},
		{env: "STAFF_NOTICE_DELAY", flag: "staff-notice-delay", def: "1m", help: "how long the first notice to a staff chat (a new application, documents complete, a resubmission) waits for others, so that several go as one summary (10s to 10m)", dst: new(string), check: durationWithin(&c.StaffNoticeDelay, 10*time.Second, 10*time.Minute)},
		{env: "REMIND_HOUR", flag: "remind-hour", def: "8", help: "hour of the day (5-21, WITA: not at night) a day-based reminder is due: the day before a training, a correction deadline", dst: new(string), check: integer(&c.RemindHour, 5, 21)},
		{env: "TRAINING_REMIND_BEFORE", flag: "training-remind-before", def: "2h", help: "how long before a training starts its last reminder goes (10m to 12h)", dst: new(string), check: durationWithin(&c.TrainingRemindBefore, 10*time.Minute, 12*time.Hour)},
		{env: "PAID_BROADCAST", flag: "paid-broadcast", def: "false", help: "send broadcasts as Telegram paid broadcasts (allow_paid_broadcast, up to 1000/s; costs Stars)", dst: new(string), check: boolean(&c.PaidBroadcast)},
		{env: "DISPATCH_WORKERS", flag: "workers", def: "8", help: "chats handled at once by this instance (1-1000)", dst: new(string), check: integer(&c.DispatchWorkers, 1, 1000)},
		{env: "POOL_MAX_CONNS", flag: "pool-max-conns", help: "database connections at most (or pool_max_conns in DATABASE_URL); unset = DISPATCH_WORKERS + 8 (the intake, the sender's claims and records, housekeeping, /readyz). Keep the sum over all instances under the server's max_connections", dst: new(string), check: optional(poolConns(&c.PoolMaxConns))},
	}, c.permitRemindSettings()...)
}

// permitRemindSettings are PERMIT_REMIND_<CODE>, one per permit path: when its permits are
// reminded before their last valid day.
func (c *Config) permitRemindSettings() []*setting {
	var out []*setting
	for _, code := range slices.Sorted(maps.Keys(jobs.DefaultPermitOffsets)) {
		out = append(out, &setting{env: "PERMIT_REMIND_" + strings.ToUpper(code), flag: "permit-remind-" + strings.ReplaceAll(code, "_", "-"),
			def:  jobs.FormatPermitOffsets(jobs.DefaultPermitOffsets[code]),
			help: "when permits of the " + code + " path are reminded before their last valid day: a comma-separated list of 12mo (months), 30wd (working days), 180d (days)",
			dst:  new(string), check: func(v string) error {
				offs, err := jobs.ParsePermitOffsets(v)
				if err != nil {
					return fmt.Errorf("must be offsets before the last valid day such as \"12mo,30wd,10wd\" or \"180d,90d,30d\": %v", err)
				}
				if c.PermitOffsets == nil {
					c.PermitOffsets = map[string][]jobs.PermitOffset{}
				}
				c.PermitOffsets[code] = offs
				return nil
			}})
	}
	return out
}

// commonEnv are the settings every data-using subcommand reads.
var commonEnv = []string{"DATABASE_URL", "DB_WAIT", "DATA_DIR", "PG_BINDIR", "LOG_LEVEL", "LOG_FORMAT", "TZ"}

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
		if !slices.Contains(envs, s.env) {
			continue
		}
		used = append(used, s)
		if s.flag == "" {
			*s.dst = s.def
			continue
		}
		// The flag's default is the setting's own default, not the environment's value, so that
		// -h never prints a secret; the environment is applied below to flags not given.
		fs.StringVar(s.dst, s.flag, s.def, s.help+" (env "+s.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: umkmbot %s [flags]\n\n%s\n", name, summary)
		if len(used) > 0 {
			fmt.Fprintln(out, "\nenvironment variables (a flag of the same meaning, where there is one, overrides each):")
			for _, s := range used {
				def := ""
				if s.def != "" {
					def = " (default " + s.def + ")"
				}
				fmt.Fprintf(out, "  %-24s %s%s\n", s.env, s.help, def)
				if s.file {
					fmt.Fprintf(out, "  %-24s a file holding %s instead (e.g. a Docker or systemd secret)\n", s.env+"_FILE", s.env)
				}
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
	var errs []error
	for _, s := range used {
		if s.flag != "" && given[s.flag] {
			continue
		}
		v := env.getenv(s.env)
		if s.file {
			fromFile, err := readSettingFile(s.env, v, env.getenv(s.env+"_FILE"))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if fromFile != "" {
				v = fromFile
			}
		}
		if v != "" {
			*s.dst = v
		}
	}
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
	errs = append(errs, c.crossCheck(used)...)
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	if c.TZ == "" {
		c.TZ = "Asia/Makassar"
	}
	c.Location, _ = time.LoadLocation(c.TZ)
	return c, fs.Args(), nil
}

// readSettingFile reads the file named by NAME_FILE, trimmed, for a secret that may come from
// the environment or from a file, not both. Its errors never quote the file's content.
func readSettingFile(name, value, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	if value != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set: set one of them", name, name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, below
		}
		return "", fmt.Errorf("%s_FILE: cannot read %s: %v", name, path, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s_FILE: %s is empty", name, path)
	}
	return v, nil
}

// crossCheck checks the settings that depend on each other, among those in use.
func (c *Config) crossCheck(used []*setting) []error {
	in := map[string]bool{}
	for _, s := range used {
		in[s.env] = true
	}
	var errs []error
	if in["WEBHOOK_URL"] && in["WEBHOOK_SECRET"] && (c.WebhookURL == "") != (c.WebhookSecret == "") {
		errs = append(errs, errors.New("WEBHOOK_URL and WEBHOOK_SECRET go together: set both for a webhook, neither for long polling"))
	}
	if in["METRICS_ADDR"] && in["LISTEN_ADDR"] && c.MetricsAddr != "" && c.MetricsAddr == c.ListenAddr && !strings.HasSuffix(c.ListenAddr, ":0") {
		errs = append(errs, errors.New("METRICS_ADDR must differ from LISTEN_ADDR (unset it to serve everything on LISTEN_ADDR)"))
	}
	if in["POOL_MAX_CONNS"] && c.PoolMaxConns != 0 {
		if _, ok := dsnPoolMaxConns(c.DatabaseURL); ok {
			errs = append(errs, errors.New("POOL_MAX_CONNS and pool_max_conns in DATABASE_URL are both set: set one of them"))
		}
	}
	return errs
}

// optional accepts an empty value, else applies check.
func optional(check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return check(v)
	}
}

// checkListenAddr accepts host:port or :port, the port a number or a known service name. The
// host is not looked up: a name that does not resolve is found when serve listens, which is
// still before it connects to anything.
func checkListenAddr(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil || port == "" {
		return errors.New("must be host:port or :port (e.g. :8080, 127.0.0.1:9090)")
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("port %q is not a port number (0-65535) or a known service name", port)
	}
	if host != "" && net.ParseIP(host) == nil && !isHostname(host) {
		return fmt.Errorf("host %q is neither an IP address nor a host name", host)
	}
	return nil
}

// isHostname reports whether s is spelled as a DNS host name.
func isHostname(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// checkWebhookURL requires https, as Telegram does. Plain http is allowed to a loopback host
// only: a local Bot API server (telegram-bot-api --local) or a test fake on this machine.
func checkWebhookURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("must be an https URL (https://bot.example.org/telegram)")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return errors.New("must be an https URL: Telegram posts only to https (http is allowed to a loopback host, for a local Bot API server)")
		}
	default:
		return errors.New("must be an https URL (https://bot.example.org/telegram)")
	}
	if _, err := bot.WebhookPath(v); err != nil {
		return err
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// integer parses a whole number from min to max.
func integer(dst *int, min, max int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			return fmt.Errorf("must be a number from %d to %d", min, max)
		}
		*dst = n
		return nil
	}
}

// poolConns parses a number of database connections.
func poolConns(dst *int32) func(string) error {
	return func(v string) error {
		var n int
		if err := integer(&n, 1, 10000)(v); err != nil {
			return err
		}
		*dst = int32(n)
		return nil
	}
}

// waitDuration parses a duration such as 60s or 2m, from 0 to a day.
func waitDuration(dst *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 24*time.Hour {
			return errors.New("must be a duration such as 60s or 2m (0 = do not wait)")
		}
		*dst = d
		return nil
	}
}

// durationWithin parses a duration between lo and hi.
func durationWithin(dst *time.Duration, lo, hi time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("must be a duration from %v to %v (such as 200ms, 24h)", lo, hi)
		}
		*dst = d
		return nil
	}
}

// checkCron accepts a schedule in standard cron syntax (minute hour day-of-month month
// day-of-week, or a descriptor such as @hourly).
func checkCron(v string) error {
	if _, err := cron.ParseStandard(v); err != nil {
		return fmt.Errorf("must be a schedule in cron syntax such as \"0 * * * *\" (every hour): %v", err)
	}
	return nil
}

func nonEmpty(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func oneOf(opts ...string) func(string) error {
	return func(v string) error {
		if slices.Contains(opts, strings.ToLower(v)) {
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

// rateOrZero is rate, with 0 allowed (meaning no limit).
func rateOrZero(dst *float64, max float64) func(string) error {
	return func(v string) error {
		if v == "0" {
			*dst = 0
			return nil
		}
		return rate(dst, max)(v)
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
