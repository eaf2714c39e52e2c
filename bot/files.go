package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/flows"
)

// MaxDownload is the largest file the Bot API lets a bot download (getFile, cloud API).
const MaxDownload = 20 << 20

// fetchTimeout bounds one getFile and download: the update's transaction waits on it.
const fetchTimeout = 20 * time.Second

// Files reads the files people send the bot, for the engine (flows.FileFetcher): getFile, then a
// download from Telegram's file URL. The URL holds the bot token, so no error or log line carries
// it; the contents are never logged either.
type Files struct {
	client *tgbot.Bot
	http   *http.Client
}

// NewFiles is a fetcher through client; httpClient makes the downloads (nil: a client of its own).
func NewFiles(client *tgbot.Bot, httpClient *http.Client) *Files {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: fetchTimeout}
	}
	return &Files{client: client, http: httpClient}
}

var _ flows.FileFetcher = (*Files)(nil)

// Fetch downloads the file with that id, refusing one larger than limit (or than Telegram lets a
// bot download) with flows.ErrFileTooLarge, before or while reading it.
func (f *Files) Fetch(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	limit = min(limit, MaxDownload)
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	file, err := f.client.GetFile(ctx, &tgbot.GetFileParams{FileID: fileID})
	if err != nil {
		if errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "file is too big") {
			return nil, flows.ErrFileTooLarge // over the Bot API's download limit
		}
		return nil, fmt.Errorf("bot: getFile: %w", withoutURL(err))
	}
	if file.FileSize > limit {
		return nil, flows.ErrFileTooLarge
	}
	if file.FilePath == "" {
		return nil, errors.New("bot: getFile gave no file path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.client.FileDownloadLink(file), nil)
	if err != nil {
		return nil, errors.New("bot: download file: bad file URL")
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bot: download file: %w", withoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bot: download file: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("bot: download file: %w", withoutURL(err))
	}
	if int64(len(data)) > limit {
		return nil, flows.ErrFileTooLarge
	}
	return data, nil
}

// withoutURL drops the URL a net/http error names (Telegram's file URLs hold the bot token).
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
