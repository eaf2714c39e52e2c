package staff

// QueueLink is the button data that opens /antrian filtered by status and kabupaten (each ""
// for any), for messages sent outside a conversation (the grouped staff notices).
func QueueLink(status, kabupaten string) string {
	return queueView{Status: status, Kab1: kabupaten}.data()
}
