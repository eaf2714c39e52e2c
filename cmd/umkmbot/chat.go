package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/bot"
	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

const chatSummary = `Talk to the bot's conversation engine in a terminal, as a business owner, with no Telegram
token: the same flows, the same database (the embedded PostgreSQL when DATABASE_URL is unset).

  a number          presses that button of the bot's last message (\5 sends the text "5")
  /kirim PATH       uploads a local file as a document
  /foto PATH        uploads a local image as a photo
  /kontak +62…      shares a phone contact as your own
  anything else     is sent as a message; /menu, /daftar, /status, /batal … work as in Telegram

With standard input not a terminal, the lines are read as a script: the transcript is printed and
the command exits at the end of the input.

With -staff OFFICE or -admin the user is a staff member of that office or an admin: /antrian,
/cari, /statistik, the cards and their actions, /staf_undang and /staf (admins).`

func runChat(ctx context.Context, env *runEnv, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	userID := fs.Int64("user-id", 1001, "the Telegram user id to act as")
	lang := fs.String("lang", "id", "the language the user's Telegram reports (id or en)")
	name := fs.String("name", "Pengguna", "the user's first name as Telegram would give it")
	staffOffice := fs.String("staff", "", "play a staff member of this office (an office code of the requirements data, e.g. bbpom_kupang)")
	admin := fs.Bool("admin", false, "play an admin (every office, staff management)")
	cfg, rest, err := parseConfigWith("chat", chatSummary, append(commonEnv, "APP_NUMBER_PREFIX"), args, env, fs)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("chat: unexpected arguments %q", rest)
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	files := &localFiles{paths: map[string]string{}}
	engine, msgs, err := newEngine(cfg, log, "", files)
	if err != nil {
		return err
	}
	if *staffOffice != "" || *admin {
		if err := playStaff(ctx, db.Store, engine, *userID, *name, *staffOffice, *admin); err != nil {
			return err
		}
	}
	s := &chatSession{engine: engine, store: db.Store, files: files, out: env.stdout, user: *userID, lang: *lang, name: *name,
		l: msgs.For(*lang), script: !isTerminal(env.stdin)}
	return s.run(ctx, env.stdin)
}

// playStaff makes the terminal's user an active staff member of the office, or an admin, as an
// invite (or ADMIN_TELEGRAM_IDS) would. A played admin stays one until serve next applies
// ADMIN_TELEGRAM_IDS.
func playStaff(ctx context.Context, st *store.Store, e *flows.Engine, userID int64, name, office string, admin bool) error {
	s := store.Staff{TelegramUserID: userID, Name: name, Unit: office, Role: "staff", Active: true}
	if admin {
		s.Role, s.Unit = "admin", ""
	} else if _, ok := e.Rules().Office(office); !ok {
		var codes []string
		for _, o := range e.Rules().Offices() {
			codes = append(codes, o.Code)
		}
		return fmt.Errorf("chat: no office %q; one of: %s", office, strings.Join(codes, ", "))
	}
	return store.SaveStaff(ctx, st.DB(), &s)
}

// chatSession is one terminal conversation.
type chatSession struct {
	engine *flows.Engine
	store  *store.Store
	files  *localFiles
	out    io.Writer
	l      *locales.Localizer
	user   int64
	lang   string
	name   string
	script bool

	nextMsgID int
	buttons   []chatButton // the buttons of the bot's last turn, numbered from 1
	// downloads is where documents the bot made (an export) are written, a private temporary
	// directory made at the first one.
	downloads string
}

type chatButton struct {
	data      string
	messageID int
}

func (s *chatSession) run(ctx context.Context, in io.Reader) error {
	if !s.script {
		fmt.Fprintln(s.out, s.l.T("ChatIntro"))
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if !s.script {
			fmt.Fprint(s.out, "> ")
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if s.script {
			fmt.Fprintf(s.out, "%s %s\n", s.l.T("ChatYou"), line)
		}
		ev, err := s.event(line)
		if err != nil {
			fmt.Fprintf(s.out, "!! %v\n", err)
			continue
		}
		if err := s.send(ctx, ev); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return sc.Err()
}

// event turns a typed line into what Telegram would have delivered.
func (s *chatSession) event(line string) (flows.Event, error) {
	ev := flows.Event{ChatID: s.user, UserID: s.user, FirstName: s.name, LangCode: s.lang, Kind: flows.EventText, Text: line}
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(s.buttons) {
		b := s.buttons[n-1]
		ev.Kind, ev.Text, ev.Data, ev.MessageID = flows.EventButton, "", b.data, b.messageID
		return ev, nil
	}
	if rest, ok := strings.CutPrefix(line, `\`); ok {
		ev.Text = rest
		return ev, nil
	}
	cmd, args, _ := strings.Cut(line, " ")
	args = strings.TrimSpace(args)
	switch cmd {
	case "/kirim", "/foto":
		f, err := localFile(args)
		if err != nil {
			return ev, err
		}
		s.files.paths[f.ID] = args
		ev.Kind, ev.Text, ev.File = flows.EventDocument, "", f
		if cmd == "/foto" {
			ev.Kind = flows.EventPhoto
			f.Name = ""
		}
		return ev, nil
	case "/kontak":
		ev.Kind, ev.Text, ev.Contact = flows.EventContact, "", &flows.Contact{Phone: args, UserID: s.user}
		return ev, nil
	}
	if strings.HasPrefix(cmd, "/") && len(cmd) > 1 {
		ev.Kind, ev.Command, ev.Text = flows.EventCommand, strings.ToLower(strings.TrimPrefix(cmd, "/")), args
	}
	return ev, nil
}

// localFile describes a local file as Telegram would describe an upload.
func localFile(path string) (*flows.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:12])
	mt := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if mt == "" {
		mt = http.DetectContentType(data)
	}
	mt, _, _ = strings.Cut(mt, ";")
	return &flows.File{ID: "local-" + id, UniqueID: "u" + id[:16], Name: filepath.Base(path), MIME: mt, Size: int64(len(data))}, nil
}

// localFiles reads the files the terminal's user sent (/kirim) for the engine, as the bot
// downloads them from Telegram.
type localFiles struct {
	paths map[string]string // file id → local path
}

func (l *localFiles) Fetch(_ context.Context, fileID string, limit int64) ([]byte, error) {
	path, ok := l.paths[fileID]
	if !ok {
		return nil, fmt.Errorf("chat: no file %q sent here", fileID)
	}
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.Size() > limit {
		return nil, flows.ErrFileTooLarge
	}
	return os.ReadFile(path)
}

// send handles one event in one transaction, as the bot does, and prints the replies. Notices
// for other chats (staff) go to the outbox, where `umkmbot serve` delivers them.
func (s *chatSession) send(ctx context.Context, ev flows.Event) error {
	ev.At = time.Now()
	var res flows.Result
	err := s.store.Tx(ctx, func(tx pgx.Tx) error {
		var err error
		if res, err = s.engine.Handle(ctx, tx, ev); err != nil {
			return err
		}
		for _, n := range res.Notices {
			payload, err := bot.EncodePayload(bot.Payload{Kind: bot.KindReply, Reply: &n.Reply})
			if err != nil {
				return err
			}
			priority := store.PriorityReply
			if n.Bulk {
				priority = store.PriorityReminder
			}
			if _, _, err := store.Enqueue(ctx, tx, store.OutboxMessage{ChatID: n.ChatID, Priority: priority,
				Payload: payload, DedupeKey: n.DedupeKey}); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if err != nil {
		res = flows.Result{Replies: []flows.Reply{s.engine.InternalError(s.lang)}}
		fmt.Fprintf(s.out, "!! %v\n", err)
	}
	if res.Answer != "" {
		fmt.Fprintf(s.out, "   (%s)\n", res.Answer)
	}
	s.buttons = nil
	for _, r := range res.Replies {
		s.print(r)
	}
	return nil
}

func (s *chatSession) print(r flows.Reply) {
	if r.CommandMenu != "" {
		return // no message: Telegram's command menu, which the terminal has not
	}
	id := r.EditMessageID
	prefix := s.l.T("ChatBot")
	if id == 0 {
		s.nextMsgID++
		id = s.nextMsgID
	} else {
		prefix += " " + s.l.T("ChatEdited")
	}
	if r.FileID != "" {
		fmt.Fprintf(s.out, "%s [%s]\n", prefix, r.FileID)
	}
	if r.Upload != nil {
		fmt.Fprintf(s.out, "%s [%s]\n", prefix, s.saveUpload(r.Upload))
	}
	for _, m := range r.Media { // an album: one line per file
		kind := "📄"
		if m.Photo {
			kind = "🖼"
		}
		fmt.Fprintf(s.out, "%s [%s %s] %s\n", prefix, kind, m.FileID, strings.ReplaceAll(m.Caption, "\n", " "))
	}
	if len(r.Media) == 0 || r.Text != "" {
		fmt.Fprintf(s.out, "%s %s\n", prefix, strings.ReplaceAll(r.Text, "\n", "\n    "))
	}
	for _, row := range r.Buttons {
		var parts []string
		for _, b := range row {
			s.buttons = append(s.buttons, chatButton{data: b.Data, messageID: id})
			parts = append(parts, fmt.Sprintf("[%d] %s", len(s.buttons), b.Label))
		}
		fmt.Fprintf(s.out, "    %s\n", strings.Join(parts, "   "))
	}
	for _, row := range r.Keyboard {
		var parts []string
		for _, b := range row {
			label := b.Label
			if b.RequestContact {
				label += " (/kontak +62…)"
			}
			parts = append(parts, "‹"+label+"›")
		}
		fmt.Fprintf(s.out, "    %s\n", strings.Join(parts, "   "))
	}
}

// saveUpload writes a document the bot made to the downloads directory (private: an export may
// hold personal data) and says where, or why not.
func (s *chatSession) saveUpload(u *flows.Upload) string {
	if s.downloads == "" {
		dir, err := os.MkdirTemp("", "umkmbot-chat-")
		if err != nil {
			return fmt.Sprintf("%s, %d bytes: %v", u.Name, len(u.Data), err)
		}
		s.downloads = dir
	}
	path := filepath.Join(s.downloads, filepath.Base(u.Name))
	if err := os.WriteFile(path, u.Data, 0o600); err != nil {
		return fmt.Sprintf("%s, %d bytes: %v", u.Name, len(u.Data), err)
	}
	return fmt.Sprintf("%s, %d bytes → %s", u.Name, len(u.Data), path)
}

// isTerminal says whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
