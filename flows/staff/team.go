package staff

import (
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// inviteValidity is how long an invite link works.
const inviteValidity = 48 * time.Hour

// inviteFlow (/staf_undang, admins): choose the office and the role; the bot answers with a
// one-time link valid for 48 hours.
func inviteFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "invite",
		Title: "StaffInviteTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "office", Prompt: "StaffInviteAskOffice", Input: flows.InputChoice, PageSize: 8, Choices: officeChoices},
				{Name: "role", Prompt: "StaffInviteAskRole", Input: flows.InputChoice, Columns: 2, Choices: func(c *flows.Ctx) []flows.Choice {
					return []flows.Choice{{Value: "staff", Label: "StaffRole_staff"}, {Value: "viewer", Label: "StaffRole_viewer"}}
				}},
			}
		},
		Done: func(c *flows.Ctx) error {
			return guarded(c, flows.PowerManageStaff, nil, func() error { return makeInvite(c, c.Get("office"), c.Get("role")) })
		},
	}
}

func officeChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, o := range c.Engine().Rules().Offices() {
		out = append(out, flows.Choice{Value: o.Code, Text: o.Name})
	}
	return out
}

func makeInvite(c *flows.Ctx, office, role string) error {
	raw := make([]byte, 15)
	if _, err := io.ReadFull(c.Engine().Config().Rand, raw); err != nil {
		return err
	}
	code := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	inv := store.Invite{Office: office, Role: role, CreatedBy: c.Actor.Staff.ID, ExpiresAt: c.Now.Add(inviteValidity), CreatedAt: c.Now}
	if err := store.CreateInvite(c, c.DB, code, &inv); err != nil {
		return err
	}
	if err := audit(c, "staff.invite", "staff_invite", inv.ID, nil, map[string]any{"office": office, "role": role}); err != nil {
		return err
	}
	c.Sess.Reset()
	c.Say(c.T("StaffInviteMade", map[string]any{"Office": officeName(c, office), "Role": c.T("StaffRole_" + role),
		"Start": "staf_" + code, "Until": c.L.DateTime(inv.ExpiresAt), "Bot": botName(c)}))
	return nil
}

// redeemInvite answers /start staf_<code>: a valid invite makes the person staff of its office;
// an expired, used or unknown one does nothing but say so.
func redeemInvite(c *flows.Ctx, code string) error {
	s, inv, err := store.RedeemInvite(c, c.DB, code, c.Ev.UserID, c.Ev.FirstName, c.Now)
	if errors.Is(err, store.ErrNotFound) {
		c.Say(c.T("StaffInviteInvalid"))
		c.ShowMenu("")
		return nil
	}
	if err != nil {
		return err
	}
	if err := store.Audit(c, c.DB, store.AuditEntry{ActorKind: "staff", ActorID: s.ID, Action: "staff.join", SubjectKind: "staff",
		SubjectID: s.ID, Detail: map[string]any{"invite": inv.ID, "office": inv.Office, "role": inv.Role}}, c.Now); err != nil {
		return err
	}
	c.Sess.Reset()
	if err := c.Reresolve(); err != nil {
		return err
	}
	c.SetCommandMenu() // the staff commands in Telegram's menu, from now on
	c.ShowMenu(c.T("StaffWelcome", map[string]any{"Office": officeName(c, inv.Office), "Role": c.T("StaffRole_" + inv.Role)}))
	return nil
}

// listStaff (/staf, admins) lists the active staff, each with a button that removes them.
func listStaff(c *flows.Ctx) error {
	return guarded(c, flows.PowerManageStaff, nil, func() error {
		staff, err := store.ActiveStaff(c, c.DB)
		if err != nil {
			return err
		}
		var b strings.Builder
		var rows [][]flows.Button
		for _, s := range staff {
			b.WriteString("• " + s.Name + " — " + c.T("StaffRole_"+s.Role) + ", " + officeName(c, s.Unit) + "\n")
			if s.Role != "admin" {
				rows = append(rows, []flows.Button{{Label: c.T("StaffRemoveButton", map[string]any{"Name": s.Name}), Data: "a:stfrm:" + itoa(s.ID)}})
			}
		}
		c.Reply(flows.Reply{Text: c.T("StaffList", map[string]any{"List": strings.TrimRight(b.String(), "\n")}), Buttons: rows})
		return nil
	})
}

// removeStaff takes every power from a staff member (admins come from ADMIN_TELEGRAM_IDS only).
func removeStaff(c *flows.Ctx, arg string) error {
	return guarded(c, flows.PowerManageStaff, nil, func() error {
		id, _ := strconv.ParseInt(arg, 10, 64)
		s, err := store.StaffByID(c, c.DB, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (!s.Active || s.Role == "admin")) {
			return c.StaleButton()
		}
		if err != nil {
			return err
		}
		if err := store.DeactivateStaff(c, c.DB, id); err != nil {
			return err
		}
		if err := audit(c, "staff.remove", "staff", id, map[string]any{"active": true, "office": s.Unit, "role": s.Role},
			map[string]any{"active": false}); err != nil {
			return err
		}
		// Their chat's command menu goes back to the owners' one.
		lang, err := store.OwnerLang(c, c.DB, s.TelegramUserID)
		if err != nil {
			return err
		}
		c.Notify(flows.Notice{ChatID: s.TelegramUserID, Reply: flows.Reply{CommandMenu: flows.MenuDefault, Lang: lang},
			DedupeKey: fmt.Sprintf("menu:staff:%d:removed:%d", s.ID, c.Now.Unix())})
		c.Say(c.T("StaffRemoved", map[string]any{"Name": s.Name}))
		return listStaff(c)
	})
}

// botName is the bot's username for a t.me link, or the placeholder the message's language uses
// where it is not known (the terminal chat).
func botName(c *flows.Ctx) string {
	if name := c.Engine().Config().BotUsername; name != "" {
		return name
	}
	return c.T("StaffInviteBotPlaceholder")
}
