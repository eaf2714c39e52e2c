package flowtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"umkmbot/flows"
)

// Files is the harness's stand-in for the bot's file fetcher: the bytes of the files people
// "sent", by file id. A test fills it through Chat.UploadData (or Put).
type Files struct {
	mu      sync.Mutex
	data    map[string][]byte
	fetches int
}

// Put makes a file id read as data.
func (f *Files) Put(id string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.data == nil {
		f.data = map[string][]byte{}
	}
	f.data[id] = append([]byte(nil), data...)
}

// Fetch is flows.FileFetcher: the bytes put under id, flows.ErrFileTooLarge over limit.
func (f *Files) Fetch(_ context.Context, id string, limit int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	d, ok := f.data[id]
	switch {
	case !ok:
		return nil, fmt.Errorf("flowtest: no file %q", id)
	case int64(len(d)) > limit:
		return nil, flows.ErrFileTooLarge
	}
	return append([]byte(nil), d...), nil
}

// IDs are the file ids put so far.
func (f *Files) IDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := range f.data {
		out = append(out, id)
	}
	return out
}

// Fetches counts the reads so far.
func (f *Files) Fetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches
}

// UploadData sends a document whose bytes the engine can read (its id names its contents, so the
// same bytes sent twice have the same id, as a forwarded file would).
func (c *Chat) UploadData(name, mime string, data []byte) flows.Result {
	c.TB.Helper()
	sum := sha256.Sum256(data)
	id := fmt.Sprintf("file-%d-%s", c.User, hex.EncodeToString(sum[:8]))
	c.H.Files.Put(id, data)
	c.Log = append(c.Log, "you send file: "+name)
	return c.Do(flows.Event{Kind: flows.EventDocument, File: &flows.File{ID: id, UniqueID: "u" + id, Name: name, MIME: mime, Size: int64(len(data))}})
}
