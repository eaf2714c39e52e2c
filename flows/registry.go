package flows

import (
	"fmt"
	"slices"
)

// Handler answers a command (args: what followed it) or a list button (args: its id).
type Handler func(c *Ctx, args string) error

// A Flowset is one kind of conversation (the owner's, the staff's): its flows, the commands and
// list buttons it answers, its menu. The engine routes each update to the one set that serves the
// actor's role, so a command or button of another set does not exist for that person.
type Flowset struct {
	Name  string
	Roles []Role // the roles it serves
	Flows []*Flow
	// Commands maps a command (without the slash, in Indonesian) to its handler; Aliases maps
	// other names (English) to those.
	Commands map[string]Handler
	Aliases  map[string]string
	// Actions answers list buttons "a:<action>:<arg>". The argument is an id, never a right: the
	// handler checks it again on every press.
	Actions map[string]Handler
	// DeepLinks answers "/start <prefix><rest>" for every role (a status link, a staff invite).
	DeepLinks map[string]Handler
	// Menu returns the menu's text and buttons (the engine adds the drafts to resume above them).
	Menu func(c *Ctx) (string, [][]Button)
	// Greet answers a plain /start.
	Greet func(c *Ctx) error
	// Idle answers a message while no flow runs.
	Idle func(c *Ctx) error
}

func (s *Flowset) serves(r Role) bool { return slices.Contains(s.Roles, r) }

// register adds the sets, checking that names do not collide.
func (e *Engine) register(sets []*Flowset) error {
	links := map[string]string{}
	for _, s := range sets {
		if s.Menu == nil || s.Greet == nil || s.Idle == nil || len(s.Roles) == 0 {
			return fmt.Errorf("flows: flowset %q needs Roles, Menu, Greet and Idle", s.Name)
		}
		for _, r := range s.Roles {
			if e.byRole[r] != nil {
				return fmt.Errorf("flows: flowsets %q and %q both serve %s", e.byRole[r].Name, s.Name, r)
			}
			e.byRole[r] = s
		}
		for p := range s.DeepLinks {
			if other, dup := links[p]; dup {
				return fmt.Errorf("flows: deep link %q in %q and %q", p, other, s.Name)
			}
			links[p] = s.Name
		}
		for _, f := range s.Flows {
			if e.flows[f.Name] != nil {
				return fmt.Errorf("flows: flow %q registered twice", f.Name)
			}
			e.flows[f.Name] = f
			e.flowSet[f.Name] = s
		}
	}
	if e.byRole[RoleOwner] == nil {
		return fmt.Errorf("flows: no flowset serves owners")
	}
	e.sets = sets
	return nil
}

// setFor is the flowset that serves role; staff without a set of their own are served as owners.
func (e *Engine) setFor(r Role) *Flowset {
	if s := e.byRole[r]; s != nil {
		return s
	}
	if r == RoleAdmin && e.byRole[RoleStaff] != nil {
		return e.byRole[RoleStaff]
	}
	return e.byRole[RoleOwner]
}
