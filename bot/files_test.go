package bot

import (
	"bytes"
	"context"
	"testing"
	"time"

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
