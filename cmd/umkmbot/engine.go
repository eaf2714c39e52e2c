package main

import (
	"log/slog"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/owner"
	"umkmbot/flows/staff"
	"umkmbot/locales"
)

// newEngine builds the conversation engine from the embedded messages and domain rules, as
// serve and chat both run it; files reads the documents people send (nil: none can be read).
func newEngine(cfg *Config, log *slog.Logger, botUsername string, files flows.FileFetcher) (*flows.Engine, *locales.Bundle, error) {
	msgs, err := locales.Load()
	if err != nil {
		return nil, nil, err
	}
	rules, err := domain.LoadRules()
	if err != nil {
		return nil, nil, err
	}
	engine, err := flows.New(flows.Config{Messages: msgs, Rules: rules, AppPrefix: cfg.AppPrefix, BotUsername: botUsername, Logger: log, Files: files}, owner.Flowset(), staff.Flowset())
	if err != nil {
		return nil, nil, err
	}
	return engine, msgs, nil
}
