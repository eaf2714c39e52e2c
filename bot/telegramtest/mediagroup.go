package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// Album is a sendMediaGroup the fake accepted: its files, in order, as messages of one media
// group.
type Album struct {
	ChatID       int64
	MediaGroupID string
	Items        []AlbumItem
}

// AlbumItem is one file of an album.
type AlbumItem struct {
	MessageID int
	Type      string // "photo", "document", "video" or "audio"
	FileID    string // the file as the chat now has it (an upload gets a new one)
	Caption   string
}

// inputMedia is one element of sendMediaGroup's media array.
type inputMedia struct {
	Type    string `json:"type"`
	Media   string `json:"media"`
	Caption string `json:"caption"`
}

// sendMediaGroup sends 2–10 files as one album, as Telegram does: every file is a message of its
// own sharing a media_group_id. Documents go only with documents and audio only with audio;
// photos and videos may mix. Each file is given by file_id, URL or attach://<upload>.
func (s *Server) sendMediaGroup(_ context.Context, p Params) (any, *apiError) {
	var items []inputMedia
	if err := p.Decode("media", &items); err != nil {
		return nil, badRequest("can't parse media JSON object")
	}
	if len(items) < 2 || len(items) > 10 {
		return nil, badRequest("media group must include 2-10 items")
	}
	for _, it := range items {
		switch it.Type {
		case "photo", "video", "document", "audio":
		default:
			return nil, badRequest("can't parse InputMedia: type \"" + it.Type + "\" can't be used in sendMediaGroup")
		}
		if apiErr := s.checkCaption(it.Caption); apiErr != nil {
			return nil, apiErr
		}
	}
	for _, only := range []string{"document", "audio"} {
		for _, it := range items {
			if (it.Type == only) != (items[0].Type == only) {
				return nil, badRequest(only + " can't be mixed with other media types")
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	files := make([]*storedFile, len(items))
	for i, it := range items {
		f, ok := s.mediaFileLocked(p, it)
		if !ok {
			return nil, badRequest("failed to send message #" + strconv.Itoa(i+1) +
				" with the error message \"wrong file identifier/HTTP URL specified\"")
		}
		files[i] = f
	}
	// One album spends one message of the rate limits, as the bot's sender counts it.
	if apiErr := s.limits.takeLocked(c.user.ID, time.Now()); apiErr != nil {
		return nil, apiErr
	}
	s.nextAlbum++
	album := Album{ChatID: c.user.ID, MediaGroupID: "album-" + strconv.Itoa(s.nextAlbum)}
	msgs := make([]models.Message, 0, len(items))
	for i, it := range items {
		r := s.newMessageLocked(c, true)
		r.msg.Caption = it.Caption
		r.msg.MediaGroupID = album.MediaGroupID
		switch it.Type {
		case "photo":
			r.msg.Photo = files[i].photo()
		case "video":
			r.msg.Video = &models.Video{FileID: files[i].id, FileUniqueID: files[i].uniqueID}
		case "audio":
			r.msg.Audio = &models.Audio{FileID: files[i].id, FileUniqueID: files[i].uniqueID}
		default:
			r.msg.Document = files[i].document()
		}
		album.Items = append(album.Items, AlbumItem{MessageID: r.msg.ID, Type: it.Type, FileID: files[i].id, Caption: it.Caption})
		msgs = append(msgs, r.msg)
	}
	s.albums = append(s.albums, album)
	s.notifyLocked()
	return msgs, nil
}

// mediaFileLocked finds the file an album item names: an upload attached to the request, a
// file_id the fake knows, or a URL.
func (s *Server) mediaFileLocked(p Params, it inputMedia) (*storedFile, bool) {
	kind := it.Type + "s"
	if name, ok := strings.CutPrefix(it.Media, "attach://"); ok {
		up, ok := p.Files[name]
		if !ok {
			return nil, false
		}
		return s.storeFileLocked(kind, up.Filename, up.ContentType, up.Data), true
	}
	if f := s.files[it.Media]; f != nil {
		return f, true
	}
	if strings.HasPrefix(it.Media, "http://") || strings.HasPrefix(it.Media, "https://") {
		return s.storeFileLocked(kind, it.Media[strings.LastIndex(it.Media, "/")+1:], "", nil), true
	}
	return nil, false
}

// Albums returns the albums the bot sent to a chat with sendMediaGroup, in order; chatID 0
// returns those of every chat.
func (s *Server) Albums(chatID int64) []Album {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Album
	for _, a := range s.albums {
		if chatID == 0 || a.ChatID == chatID {
			out = append(out, Album{ChatID: a.ChatID, MediaGroupID: a.MediaGroupID, Items: append([]AlbumItem(nil), a.Items...)})
		}
	}
	return out
}

// String shows an album in a failure message.
func (a Album) String() string {
	b, _ := json.Marshal(a)
	return string(b)
}
