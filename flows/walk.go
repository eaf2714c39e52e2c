package flows

import "context"

// WalkMessageIDs calls use with every message ID the engine's flows name at run time (titles,
// prompts, help, optional buttons, summary labels, choice labels), computing each flow's steps
// from each of the given answer shapes — for tests that every computed ID exists. Choices of the
// steps named in dbChoices ("flow/step") are not listed: they read the database.
func (e *Engine) WalkMessageIDs(shapes []map[string]string, dbChoices map[string]bool, use func(id, where string)) {
	for _, set := range e.sets {
		for _, f := range set.Flows {
			use(f.Title, "flow "+f.Name)
			for _, data := range shapes {
				c := &Ctx{Context: context.Background(), e: e, set: set, Sess: &Session{Flow: f.Name, Data: data}, L: e.msgs.For("id")}
				for _, s := range f.Steps(c) {
					where := "flow " + f.Name + ", step " + s.Name
					use(s.Prompt, where)
					use(s.Help, where)
					use(s.Optional, where)
					for _, name := range s.Editable {
						if st := c.StepByName(name); st != nil {
							use(st.fieldLabel(), where+" (summary)")
						}
					}
					if s.Choices != nil && !dbChoices[f.Name+"/"+s.Name] {
						for _, ch := range s.Choices(c) {
							if ch.Text == "" {
								use(ch.Label, where+" (choice)")
							}
						}
					}
				}
			}
		}
	}
}
