package codec_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"haloleads/internal/codec"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, codec.KeySize) }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestRoundTripAndRotation(t *testing.T) {
	t.Parallel()
	old, err := codec.New(key(1))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := codec.New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	const person = "jane.doe@example.com +44 20 7946 0000"
	p, err := old.DataConverter().ToPayload(person)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("jane.doe")) {
		t.Fatal("payload holds the person in clear")
	}
	if got := string(p.Metadata[codec.MetadataKeyID]); got != old.IDs()[0] {
		t.Fatalf("key id %q, want %q", got, old.IDs()[0])
	}
	var got string
	if err := rotated.DataConverter().FromPayload(p, &got); err != nil || got != person {
		t.Fatalf("rotated ring decodes an old payload: %q, %v", got, err)
	}
	p2, _ := rotated.DataConverter().ToPayload(person)
	if string(p2.Metadata[codec.MetadataKeyID]) != rotated.IDs()[0] || rotated.IDs()[0] == old.IDs()[0] {
		t.Fatal("the newest key does not encrypt")
	}
	if err := old.DataConverter().FromPayload(p2, &got); err == nil {
		t.Fatal("a ring without the new key decrypted its payload")
	}
	if !bytes.Equal(old.IDKey(), rotated.IDKey()) {
		t.Fatal("adding a key changed the lead-id key")
	}
}

func TestPlainPayloadsPassThrough(t *testing.T) {
	t.Parallel()
	kr, _ := codec.New(key(3))
	p, _ := converter.GetDefaultDataConverter().ToPayload("recorded before the codec")
	var got string
	if err := kr.DataConverter().FromPayload(p, &got); err != nil || got != "recorded before the codec" {
		t.Fatalf("%q, %v", got, err)
	}
}

func TestTamperedPayloadFails(t *testing.T) {
	t.Parallel()
	kr, _ := codec.New(key(4))
	ps, _ := kr.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	ps[0].Data[len(ps[0].Data)-1] ^= 1
	if _, err := kr.Decode(ps); err == nil {
		t.Fatal("a tampered payload decrypted")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		keys     int
		wantErr  bool
	}{
		{"one", b64(key(1)), 1, false},
		{"two, comma", b64(key(1)) + "," + b64(key(2)), 2, false},
		{"file with comment", "# current\n" + b64(key(1)) + "\n\n# old\n" + b64(key(2)) + "\n", 2, false},
		{"url alphabet unpadded", base64.RawURLEncoding.EncodeToString(key(0xfb)), 1, false},
		{"duplicate", b64(key(1)) + "," + b64(key(1)), 1, false},
		{"empty", " \n", 0, true},
		{"short", b64(key(1)[:16]), 0, true},
		{"not base64", "not a key!", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kr, err := codec.Parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err == nil && len(kr.IDs()) != tt.keys {
				t.Fatalf("%d keys, want %d", len(kr.IDs()), tt.keys)
			}
			if err != nil && strings.Contains(err.Error(), tt.in) && tt.in != "" && tt.in != " \n" {
				t.Fatalf("the error repeats the key: %v", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(b64(key(1)))
	f.Add(b64(key(1)) + "\n#x\n" + b64(key(2)))
	f.Add("====")
	f.Fuzz(func(t *testing.T, s string) {
		kr, err := codec.Parse(s)
		if err == nil && len(kr.IDs()) == 0 {
			t.Fatal("a keyring without keys")
		}
	})
}

func FuzzDecode(f *testing.F) {
	kr, _ := codec.New(key(5))
	ps, _ := kr.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	f.Add(ps[0].Data, kr.IDs()[0])
	f.Fuzz(func(t *testing.T, data []byte, id string) {
		_, _ = kr.Decode([]*commonpb.Payload{{Metadata: map[string][]byte{
			converter.MetadataEncoding: []byte(codec.MetadataEncoding), codec.MetadataKeyID: []byte(id)}, Data: data}})
	})
}

func TestHandlerDecodesForTheWebUI(t *testing.T) {
	t.Parallel()
	kr, _ := codec.New(key(6))
	srv := httptest.NewServer(codec.Handler(kr, "http://127.0.0.1:8233"))
	defer srv.Close()
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{Endpoint: srv.URL})
	enc, _ := kr.DataConverter().ToPayload("Jane Doe")
	dec, err := remote.Decode([]*commonpb.Payload{enc})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := converter.GetDefaultDataConverter().FromPayload(dec[0], &got); err != nil || got != "Jane Doe" {
		t.Fatalf("%q, %v", got, err)
	}
	req := httptest.NewRequest("OPTIONS", "/decode", nil)
	req.Header.Set("Origin", "http://127.0.0.1:8233")
	rec := httptest.NewRecorder()
	codec.Handler(kr, "http://127.0.0.1:8233").ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8233" {
		t.Fatal("no CORS answer for the Web UI")
	}
	_ = context.Background()
}
