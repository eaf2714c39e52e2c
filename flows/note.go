package flows

// Note puts a line above the next question of this update ("Dokumen diterima", "Profil
// disimpan"), so that an answer and the question after it come as one message. Several notes
// are joined in order.
func (c *Ctx) Note(text string) {
	if c.note != "" {
		text = c.note + "\n\n" + text
	}
	c.note = text
}

// TakeNote returns the pending note and forgets it: a flow that ends with a message of its own
// (the menu) puts it on top.
func (c *Ctx) TakeNote() string {
	n := c.note
	c.note = ""
	return n
}
