package main

import (
	"bytes"
	"testing"

	"umkmbot/flows"
	"umkmbot/locales"
)

// The terminal chat prints an album one line per file, marked photo or document, with its
// caption; an album without text prints no empty line.
func TestChatPrintsAnAlbum(t *testing.T) {
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s := &chatSession{out: &out, l: msgs.For("id")}
	s.print(flows.Reply{Media: []flows.Media{
		{FileID: "FILE-1", Photo: true, Caption: "Foto produk — NTT-0001"},
		{FileID: "FILE-2", Caption: "Desain label — NTT-0001"},
	}})
	bot := msgs.For("id").T("ChatBot")
	want := bot + " [🖼 FILE-1] Foto produk — NTT-0001\n" + bot + " [📄 FILE-2] Desain label — NTT-0001\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}
