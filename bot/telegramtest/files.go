package telegramtest

import (
	"bytes"
	"image"
	_ "image/gif"  // so photo sizes of GIF test images are known
	_ "image/jpeg" // and of JPEG
	_ "image/png"  // and of PNG
	"net/http"
	"strings"
)

// imageSize reads an image's dimensions; 0×0 for bytes that are not an image, which tests
// often send.
func imageSize(data []byte) (int, int) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// MaxDownload is the largest file getFile lets a bot download, as on Telegram's cloud Bot API:
// a larger one is refused with "file is too big".
const MaxDownload = 20 << 20

// AddFile makes the fake know a file as if someone had sent it to the bot earlier, and returns its
// file_id: getFile and the /file/ download then serve its bytes.
func (s *Server) AddFile(name, mimeType string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeFileLocked("documents", name, mimeType, append([]byte(nil), data...)).id
}

// SentDocuments returns the documents the bot uploaded to a chat with sendDocument (a file it
// made, not one sent again by file_id), in order: file name, content type and bytes.
func (s *Server) SentDocuments(chatID int64) []Upload {
	var out []Upload
	for _, c := range s.Calls("sendDocument") {
		if up, ok := c.Params.Files["document"]; ok && c.Status == http.StatusOK && c.ChatID() == chatID {
			out = append(out, up)
		}
	}
	return out
}

// serveFile answers GET /file/bot<token>/<file_path>, where the bot downloads what getFile
// pointed it to.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeEnvelope(w, nil, &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"})
		return
	}
	s.mu.Lock()
	f, ok := s.paths[filePath]
	s.mu.Unlock()
	if !ok {
		writeEnvelope(w, nil, &apiError{Code: http.StatusNotFound, Description: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", f.mime)
	w.Write(f.data)
}
