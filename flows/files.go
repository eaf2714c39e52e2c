package flows

import (
	"encoding/json"
	"errors"
	"time"

	"umkmbot/flows/domain"
)

// StoredFile is a document answer kept in the session until it is saved to an application.
type StoredFile struct {
	ID       string `json:"id"`
	UniqueID string `json:"uid"`
	Name     string `json:"name"`
	MIME     string `json:"mime"`
	Size     int64  `json:"size"`
	Photo    bool   `json:"photo,omitempty"`
	At       int64  `json:"at"`
}

// EncodeFile is the answer a file step keeps for an upload.
func EncodeFile(f *File, kind EventKind, at time.Time) string {
	b, _ := json.Marshal(StoredFile{ID: f.ID, UniqueID: f.UniqueID, Name: f.Name, MIME: f.MIME, Size: f.Size, Photo: kind == EventPhoto, At: at.Unix()})
	return string(b)
}

// DecodeFile reads a file step's answer; ok is false for "later" (no file).
func DecodeFile(v string) (StoredFile, bool) {
	var f StoredFile
	if v == "" || json.Unmarshal([]byte(v), &f) != nil || f.ID == "" {
		return f, false
	}
	return f, true
}

// DisplayFile shows a file step's answer in a summary.
func DisplayFile(c *Ctx, v string) string {
	f, ok := DecodeFile(v)
	if !ok {
		return c.T("DocMissing")
	}
	if f.Photo {
		return c.T("DocPhotoReceived")
	}
	if f.Name != "" {
		return "📄 " + f.Name
	}
	return c.T("DocFileReceived")
}

// CheckFile applies a document's rules (type, size) to an upload.
func (c *Ctx) CheckFile(d domain.DocumentRule, f *File) *Problem {
	mime := f.MIME
	if c.Ev.Kind == EventPhoto && mime == "" {
		mime = "image/jpeg"
	}
	err := c.e.rules.CheckFile(d, mime, f.Size)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrFileTooLarge):
		return &Problem{Msg: "CommonFileTooLarge", Data: map[string]any{"MaxMB": d.MaxBytes / (1 << 20)}}
	default:
		return NewProblem("CommonFileWrongType")
	}
}
