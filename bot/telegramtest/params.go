package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxRequestBody caps what the fake reads from one request; Telegram's own upload limit is 50 MB.
const maxRequestBody = 50 << 20

// Upload is a file sent to the fake in a multipart request.
type Upload struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Params are the parameters of one Bot API call as the fake received them. Values hold every
// non-file field as text: strings as they are, numbers and booleans in their JSON spelling, and
// objects (reply_markup, scope, ...) as JSON.
type Params struct {
	Values map[string]string
	Files  map[string]Upload
}

// Get returns the value of a parameter, or "" when it was not sent.
func (p Params) Get(name string) string { return p.Values[name] }

// Has reports whether a parameter was sent.
func (p Params) Has(name string) bool {
	_, ok := p.Values[name]
	if !ok {
		_, ok = p.Files[name]
	}
	return ok
}

// Int returns a numeric parameter; 0 when it is missing or not a number.
func (p Params) Int(name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(p.Values[name]), 10, 64)
	return n
}

// Bool returns a boolean parameter.
func (p Params) Bool(name string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(p.Values[name]))
	return b
}

// Decode JSON-decodes an object parameter (reply_markup, scope, commands...) into v.
func (p Params) Decode(name string, v any) error {
	s, ok := p.Values[name]
	if !ok {
		return fmt.Errorf("parameter %s not sent", name)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode parameter %s: %w", name, err)
	}
	return nil
}

// readParams parses a request body in any of the encodings the Bot API accepts. go-telegram/bot
// sends multipart even for calls without parameters, with an empty body and no closing boundary.
func readParams(r *http.Request) (Params, error) {
	p := Params{Values: map[string]string{}, Files: map[string]Upload{}}
	for k, v := range r.URL.Query() {
		p.Values[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return p, fmt.Errorf("read body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	mediaType, mtParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		form, err := multipart.NewReader(bytes.NewReader(body), mtParams["boundary"]).ReadForm(maxRequestBody)
		if err != nil {
			return p, fmt.Errorf("read multipart form: %w", err)
		}
		defer form.RemoveAll()
		for k, v := range form.Value {
			p.Values[k] = v[0]
		}
		for k, fhs := range form.File {
			f, err := fhs[0].Open()
			if err != nil {
				return p, fmt.Errorf("open uploaded %s: %w", k, err)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return p, fmt.Errorf("read uploaded %s: %w", k, err)
			}
			p.Files[k] = Upload{Filename: fhs[0].Filename, ContentType: fhs[0].Header.Get("Content-Type"), Data: data}
		}
	case "application/json":
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			return p, fmt.Errorf("decode json body: %w", err)
		}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				p.Values[k] = s
			} else {
				p.Values[k] = string(v)
			}
		}
	default: // application/x-www-form-urlencoded, also when the header is missing
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return p, fmt.Errorf("decode urlencoded body: %w", err)
		}
		for k, v := range vals {
			p.Values[k] = v[0]
		}
	}
	return p, nil
}
