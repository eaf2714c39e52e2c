package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/bot"
	"umkmbot/flows"
	"umkmbot/flows/staff"
	"umkmbot/store"
)

const importSummary = `Apply status changes from a CSV file (exported from BPOM's or OSS's records):

  nomor_pengajuan,status,catatan,nomor_izin,berlaku_sampai,batas_waktu

status is a code (in_review, needs_fix, awaiting_payment, approved, rejected) or its Indonesian
name (diperiksa, perbaikan, menunggu pembayaran, disetujui, ditolak); dates are YYYY-MM-DD.
Every row is checked first and every error printed with its line; nothing is applied when any
row is invalid, unless -partial. The changes are made in one transaction through the same
status rules as a staff action, recorded in the history and audit log as the acting admin, and
each owner is told in their language (once, however often the file is imported).`

// errImportInvalid ends an import that applied nothing because rows were invalid.
var errImportInvalid = errors.New("import: invalid rows, nothing applied")

func runImport(ctx context.Context, env *runEnv, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	partial := fs.Bool("partial", false, "apply the valid rows even when some are invalid")
	as := fs.Int64("as", 0, "the Telegram user id of the active admin the changes are recorded for (default: the first admin)")
	lang := fs.String("lang", "id", "the language of the report (id or en)")
	cfg, rest, err := parseConfigWith("import", importSummary, commonEnv, args, env, fs)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(env.stderr, "usage: umkmbot import [-partial] [-as ID] FILE.csv")
		return errUsage
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	engine, _, err := newEngine(cfg, log, "", nil)
	if err != nil {
		return err
	}
	rep, err := importCSV(ctx, db.Store, engine, f, *as, *lang, *partial)
	if err != nil && !errors.Is(err, errImportInvalid) {
		return err
	}
	l := engine.Messages().For(*lang)
	for _, e := range rep.Errors {
		fmt.Fprintln(env.stdout, e.Text)
	}
	if errors.Is(err, errImportInvalid) {
		fmt.Fprintln(env.stdout, l.T("ImportNothingApplied"))
	}
	fmt.Fprintln(env.stdout, importSummaryText(engine, *lang, rep))
	return err
}

// importSummaryText is the one-line summary of an import, in lang.
func importSummaryText(e *flows.Engine, lang string, rep staff.ImportReport) string {
	return e.Messages().For(lang).T("ImportSummary", map[string]any{"Rows": rep.Rows, "Applied": rep.Applied,
		"Unchanged": rep.Unchanged, "Invalid": len(rep.Errors), "Notices": len(rep.Notices)})
}

// importCSV runs staff.Import in one transaction as the admin (Telegram user id as, or the first
// active admin) and queues the owners' notices in the same transaction. With invalid rows and not
// partial it rolls back and returns errImportInvalid with the report.
func importCSV(ctx context.Context, st *store.Store, e *flows.Engine, r io.Reader, as int64, lang string, partial bool) (staff.ImportReport, error) {
	var rep staff.ImportReport
	err := st.Tx(ctx, func(tx pgx.Tx) error {
		actor, err := importActor(ctx, tx, as)
		if err != nil {
			return err
		}
		if _, err := e.Act(ctx, tx, actor, lang, time.Now(), func(c *flows.Ctx) error {
			rep, err = staff.Import(c, r, partial)
			return err
		}); err != nil {
			return err
		}
		if len(rep.Errors) > 0 && !partial {
			rep.Notices = nil
			return errImportInvalid
		}
		return queueImportNotices(ctx, tx, rep.Notices)
	})
	return rep, err
}

// queueImportNotices puts the owners' notices of an import in the outbox in one statement, at
// reminder priority: a thousand at once are paced by SEND_RATE instead of crowding out the
// replies to people chatting now.
func queueImportNotices(ctx context.Context, tx store.DB, notices []flows.Notice) error {
	msgs := make([]store.OutboxMessage, 0, len(notices))
	for i := range notices {
		n := &notices[i]
		payload, err := bot.EncodePayload(bot.Payload{Kind: bot.KindReply, Reply: &n.Reply})
		if err != nil {
			return err
		}
		msgs = append(msgs, store.OutboxMessage{ChatID: n.ChatID, Priority: store.PriorityReminder, Payload: payload, DedupeKey: n.DedupeKey})
	}
	_, err := store.EnqueueMany(ctx, tx, msgs)
	return err
}

// importActor is the admin an import from the command line acts as: the active admin with that
// Telegram user id, or (as = 0) the first active admin.
func importActor(ctx context.Context, db store.DB, as int64) (flows.Actor, error) {
	all, err := store.ActiveStaff(ctx, db)
	if err != nil {
		return flows.Actor{}, err
	}
	for _, s := range all {
		if s.Role == "admin" && (as == 0 || s.TelegramUserID == as) {
			return flows.Actor{Role: flows.RoleAdmin, Staff: &s}, nil
		}
	}
	if as != 0 {
		return flows.Actor{}, fmt.Errorf("import: %d is not an active admin (ADMIN_TELEGRAM_IDS, applied when serve starts)", as)
	}
	return flows.Actor{}, errors.New("import: no active admin: set ADMIN_TELEGRAM_IDS and start serve once, so the changes have someone to be recorded for")
}
