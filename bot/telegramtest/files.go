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
