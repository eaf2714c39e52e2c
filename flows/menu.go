package flows

import (
	"strconv"
	"strings"
)

// Commands the engine knows, in Indonesian as owners see them; English aliases for owners who
// chose English.
var commandAliases = map[string]string{
	"cancel": "batal", "back": "kembali", "help": "bantuan", "language": "bahasa",
	"register": "daftar", "profile": "profil", "documents": "dokumen", "applications": "pengajuan",
	"trainings": "pelatihan", "delete_data": "hapus_data",
}

// command handles /name args.
func (c *Ctx) command(name, args string) error {
	if alias, ok := commandAliases[name]; ok {
		name = alias
	}
	c.Sess.ResumeOffered = ""
	switch name {
	case "batal":
		return c.cancel(false)
	case "kembali":
		return c.back()
	case "bantuan":
		return c.help()
	case "menu":
		c.parkRunning()
		c.showMenu("")
		return nil
	case "start":
		return c.cmdStart(args)
	}
	// Every other command starts something new: a running flow is parked (resumable) or dropped.
	c.parkRunning()
	switch name {
	case "daftar":
		return c.cmdRegister()
	case "profil":
		return c.cmdProfile()
	case "dokumen":
		return c.cmdDocuments()
	case "status":
		return c.cmdStatus(args)
	case "pengajuan":
		return c.cmdApplications()
	case "pelatihan":
		return c.cmdTrainings()
	case "hapus_data":
		return c.start("delete_data")
	case "bahasa":
		return c.start("language")
	}
	c.showMenu(c.T("MenuUnknownCommand"))
	return nil
}

// parkRunning sets a running resumable flow aside (answers kept), or ends any other.
func (c *Ctx) parkRunning() {
	if c.Sess.Flow == "" {
		return
	}
	if f := c.flowDef(); f != nil && f.Resumable && len(c.Sess.Trail) > 0 && c.get(keyPrefilled) == "" {
		c.Sess.park(c.Now)
		return
	}
	c.Sess.reset()
}

// keyboardCommand recognises the reply keyboard's labels and a few plain words as commands.
func (c *Ctx) keyboardCommand(text string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	switch {
	case t == strings.ToLower(c.T("CommonBack")), t == "kembali", t == "back":
		return "kembali", true
	case t == strings.ToLower(c.T("CommonCancelButton")), t == "batal", t == "cancel":
		return "batal", true
	case t == "menu":
		return "menu", true
	}
	return "", false
}

// button handles a pressed inline button.
func (c *Ctx) button(data string) error {
	if rest, ok := strings.CutPrefix(data, "a:"); ok {
		action, arg, _ := strings.Cut(rest, ":")
		return c.action(action, arg)
	}
	rest, ok := strings.CutPrefix(data, "s")
	if !ok {
		return c.staleButton()
	}
	seqText, value, ok := strings.Cut(rest, ":")
	seq, err := strconv.Atoi(seqText)
	if !ok || err != nil || seq != c.Sess.Seq {
		return c.staleButton()
	}
	if c.Sess.ResumeOffered != "" {
		return c.resumeChoice(value)
	}
	if c.Sess.Flow == "" {
		return c.staleButton()
	}
	return c.stepButton(value)
}

// action handles a button that is not tied to a question: a menu entry, an item of a list.
// Its argument is an id only; the right to act on it is checked here, on every press.
func (c *Ctx) action(action, arg string) error {
	switch action {
	case "go":
		return c.command(arg, "")
	case "resume":
		c.Sess.ResumeOffered = ""
		if c.Sess.Parked[arg] == nil {
			return c.staleButton()
		}
		c.parkRunning()
		c.Sess.unpark(arg)
		c.ask(nil, 0)
		return nil
	case "app":
		id, _ := strconv.ParseInt(arg, 10, 64)
		return c.thenOpenQuestion(c.showOwnApplication(id))
	case "docs":
		id, _ := strconv.ParseInt(arg, 10, 64)
		return c.startDocumentsFor(id)
	case "tr":
		op, idText, _ := strings.Cut(arg, ":")
		id, _ := strconv.ParseInt(idText, 10, 64)
		return c.thenOpenQuestion(c.trainingAction(op, id))
	}
	return c.staleButton()
}

// thenOpenQuestion shows the question of a flow under way again after a list button (an old
// status or training card) was answered, so the owner sees where the conversation stands.
func (c *Ctx) thenOpenQuestion(err error) error {
	if err != nil || c.Sess.Flow == "" || c.Sess.ConfirmingCancel || c.Sess.ResumeOffered != "" {
		return err
	}
	if n := len(c.res.Replies); n > 0 && len(c.res.Replies[n-1].Buttons) > 0 && strings.HasPrefix(c.res.Replies[n-1].Buttons[0][0].Data, "s") {
		return nil // the question is already the last thing shown
	}
	c.ask(nil, 0)
	return nil
}

// cmdStart greets. A deep link /start status_<number> looks the number up.
func (c *Ctx) cmdStart(args string) error {
	if num, ok := strings.CutPrefix(args, "status_"); ok {
		c.parkRunning()
		return c.lookupStatus(num)
	}
	if c.Sess.Flow != "" {
		c.parkRunning()
	}
	if !c.hasProfile() {
		c.say(c.T("StartWelcomeNew", map[string]any{"Name": c.Ev.FirstName}))
		if c.Sess.Parked["profile"] != nil {
			return c.offerResume("profile")
		}
		return c.start("profile")
	}
	c.say(c.T("StartWelcomeBack", map[string]any{"Name": c.Owner.Name}))
	if names := c.Sess.parkedNames(); len(names) > 0 {
		return c.offerResume(names[0])
	}
	c.showMenu("")
	return nil
}

// idle handles a message when no flow runs: a number is looked up, anything else gets the menu.
func (c *Ctx) idle() error {
	if c.Ev.Kind == EventText {
		text := strings.TrimSpace(c.Ev.Text)
		if _, err := c.e.appnum.Parse(text); err == nil {
			return c.lookupStatus(text)
		}
		if looksLikePermitNumber(text) {
			return c.lookupStatus(text)
		}
		if c.newOwner {
			return c.cmdStart("")
		}
	}
	c.showMenu(c.T("MenuNotUnderstood"))
	return nil
}

// showMenu shows the main menu, with prefix above it when given.
func (c *Ctx) showMenu(prefix string) {
	text := c.T("MenuText")
	if prefix != "" {
		text = prefix + "\n\n" + text
	}
	var rows [][]Button
	for _, name := range c.Sess.parkedNames() {
		rows = append(rows, []Button{{c.T("MenuResume", map[string]any{"What": c.parkedLabel(name)}), "a:resume:" + name}})
	}
	rows = append(rows,
		[]Button{{c.T("MenuRegister"), "a:go:daftar"}},
		[]Button{{c.T("MenuStatus"), "a:go:status"}, {c.T("MenuApplications"), "a:go:pengajuan"}},
		[]Button{{c.T("MenuDocuments"), "a:go:dokumen"}, {c.T("MenuTrainings"), "a:go:pelatihan"}},
		[]Button{{c.T("MenuProfile"), "a:go:profil"}, {c.T("MenuLanguage"), "a:go:bahasa"}},
		[]Button{{c.T("MenuHelpButton"), "a:go:bantuan"}},
	)
	c.reply(Reply{Text: text, Buttons: rows})
}

// parkedLabel names the parked work ("pendaftaran 'Kopi Bajawa'").
func (c *Ctx) parkedLabel(name string) string {
	f := c.e.flow(name)
	label := ""
	if p := c.Sess.Parked[name]; p != nil && f.Label != nil {
		label = f.Label(p.Data)
	}
	return c.T(f.Title, map[string]any{"Label": label})
}

// offerResume asks whether to continue the parked flow of that name.
func (c *Ctx) offerResume(name string) error {
	if c.Sess.Parked[name] == nil {
		c.Sess.ResumeOffered = ""
		c.showMenu("")
		return nil
	}
	c.Sess.ResumeOffered = name
	c.Sess.Seq++
	c.reply(Reply{Text: c.T("CommonResumeOffer", map[string]any{"What": c.parkedLabel(name)}), Buttons: [][]Button{
		{{c.T("CommonResumeYes"), c.stepData("~resume")}},
		{{c.T("CommonResumeFresh"), c.stepData("~fresh")}},
		{{c.T("CommonMenu"), c.stepData("~menu")}},
	}})
	return nil
}

// offerResumeOfRunning parks a flow left untouched for long and offers it back.
func (c *Ctx) offerResumeOfRunning() error {
	name := c.Sess.Flow
	c.Sess.park(c.Now)
	return c.offerResume(name)
}

// resumeChoice handles the answer to the offer.
func (c *Ctx) resumeChoice(value string) error {
	name := c.Sess.ResumeOffered
	c.Sess.ResumeOffered = ""
	if c.Sess.Parked[name] == nil {
		return c.staleButton()
	}
	switch value {
	case "~resume":
		c.Sess.unpark(name)
		c.ask(nil, 0)
		return nil
	case "~fresh":
		delete(c.Sess.Parked, name)
		return c.start(name)
	case "~menu":
		c.showMenu("")
		return nil
	}
	return c.staleButton()
}
