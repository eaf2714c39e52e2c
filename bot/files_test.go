package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows"
)

// A document the bot made (Reply.Upload) reaches Telegram as an uploaded file with its name, its
// bytes and the text as caption; a call tried again sends the bytes again, not an empty file.
func TestUploadIsSentAsDocument(t *testing.T) {
	srv, client := fakeTelegram(t)
	srv.User(700, "Petugas", "id")
	data := []byte("nomor_pengajuan,status\nNTT-0001-AAAA,approved\n")
	calls, err := renderPayload(700, reply(flows.Reply{Text: "Ekspor pengajuan: 1 baris",
		Upload: &flows.Upload{Name: "pengajuan.csv", Data: data}, Buttons: [][]flows.Button{{{Label: "Menu", Data: "a:go:menu"}}}}), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].method != "sendDocument" {
		t.Fatalf("calls %+v, want one sendDocument", calls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 { // the second as the sender's retry would make it
		if err := calls[0].do(ctx, client); err != nil {
			t.Fatal(err)
		}
	}
	docs := srv.SentDocuments(700)
	if len(docs) != 2 {
		t.Fatalf("%d documents uploaded, want 2", len(docs))
	}
	for _, d := range docs {
		if d.Filename != "pengajuan.csv" || !bytes.Equal(d.Data, data) {
			t.Fatalf("uploaded %q with %q, want pengajuan.csv with %q", d.Filename, d.Data, data)
		}
	}
	sent := srv.Calls("sendDocument")[0].Params
	if sent.Get("caption") != "Ekspor pengajuan: 1 baris" || !sent.Has("reply_markup") {
		t.Fatalf("caption %q, reply_markup sent %v", sent.Get("caption"), sent.Has("reply_markup"))
	}
	msgs := srv.User(700, "Petugas", "id").Transcript()
	if n := len(msgs); n == 0 || msgs[n-1].Document == nil || msgs[n-1].Document.FileName != "pengajuan.csv" {
		t.Fatalf("the chat does not show the document: %+v", msgs)
	}
}

// The fetcher downloads a file someone sent (getFile, then the file URL) and refuses one over the
// limit it is given or over the Bot API's, without reading it; no error names the token.
func TestFilesFetch(t *testing.T) {
	srv, client := fakeTelegram(t)
	files := NewFiles(client, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data := []byte("nomor_pengajuan,status,catatan,nomor_izin,berlaku_sampai,batas_waktu\n")
	id := srv.AddFile("impor.csv", "text/csv", data)

	got, err := files.Fetch(ctx, id, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("fetched %q, %v; want %q", got, err, data)
	}
	if _, err := files.Fetch(ctx, id, int64(len(data)-1)); !errors.Is(err, flows.ErrFileTooLarge) {
		t.Fatalf("a file over the limit: %v, want ErrFileTooLarge", err)
	}
	big := srv.AddFile("besar.csv", "text/csv", make([]byte, telegramtest.MaxDownload+1))
	if _, err := files.Fetch(ctx, big, 50<<20); !errors.Is(err, flows.ErrFileTooLarge) {
		t.Fatalf("a file over the Bot API's limit: %v, want ErrFileTooLarge", err)
	}
	_, err = files.Fetch(ctx, "no-such-file", 1<<20)
	if err == nil || strings.Contains(err.Error(), srv.Token()) {
		t.Fatalf("an unknown file: %v", err)
	}
	downloads := 0
	for _, c := range srv.Calls("getFile") {
		if c.Status == 200 {
			downloads++
		}
	}
	if downloads != 2 {
		t.Fatalf("%d getFile calls answered, want 2 (the big one refused by Telegram)", downloads)
	}
}
