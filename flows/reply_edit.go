package flows

// EditLastReply makes the last reply so far edit the message messageID instead of coming as a new
// one: a question asked again in place, as a toggle list is after each press. Nothing happens
// when there is no reply yet or messageID is 0.
func (c *Ctx) EditLastReply(messageID int) {
	if n := len(c.res.Replies); n > 0 && messageID != 0 {
		c.res.Replies[n-1].EditMessageID = messageID
	}
}
