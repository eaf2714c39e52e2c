package flows

import (
	"context"
	"errors"
	"fmt"
)

// FileFetcher reads the bytes of a file a person sent the bot (an admin's CSV), by its Telegram
// file id, refusing one larger than limit bytes with ErrFileTooLarge. The bot's edge implements
// it with getFile and a download; tests fill a map. Implementations never log a file's contents.
type FileFetcher interface {
	Fetch(ctx context.Context, fileID string, limit int64) ([]byte, error)
}

// The errors of fetching a file: too large to read, or no fetcher configured (the engine cannot
// read files here).
var (
	ErrFileTooLarge = errors.New("flows: file too large")
	ErrNoFetcher    = errors.New("flows: no file fetcher configured")
)

// FetchFile reads a file the person sent, at most limit bytes, through the engine's
// Config.Files.
func (c *Ctx) FetchFile(fileID string, limit int64) ([]byte, error) {
	if c.e.cfg.Files == nil {
		return nil, ErrNoFetcher
	}
	data, err := c.e.cfg.Files.Fetch(c, fileID, limit)
	if err != nil {
		return nil, fmt.Errorf("flows: fetch file: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("flows: fetch file: %w", ErrFileTooLarge)
	}
	return data, nil
}
