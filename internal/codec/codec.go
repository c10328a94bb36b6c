// Package codec provides haloleads' payload encryption: an AES-256-GCM converter.PayloadCodec
// applied to every payload haloleads' Temporal clients and workers write (workflow inputs and
// results, signals, updates, queries, memo, activity inputs and results, heartbeat details and
// failure messages), so that Temporal's database and its Web UI hold no personal data in clear.
//
// Keys come from HALOLEADS_CODEC_KEY (or HALOLEADS_CODEC_KEY_FILE): one or more base64-encoded
// 32-byte keys separated by commas or new lines. The first key encrypts; every listed key
// decrypts, so a key is rotated by putting a new one first and keeping the old ones listed while
// histories written with them exist. Each encrypted payload names its key by an id derived from
// the key (metadata "encryption-key-id"); payloads written without encryption (histories recorded
// before the codec) decode unchanged.
//
// The last key listed (the oldest) also keys lead ids (IDKey): an HMAC instead of a bare hash of
// the e-mail address, so a lead id says nothing about the person to someone without the key.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// Metadata keys and values of an encrypted payload.
const (
	// MetadataEncoding is the payload encoding of an encrypted payload.
	MetadataEncoding = "binary/encrypted"
	// MetadataKeyID names the key that encrypted the payload.
	MetadataKeyID = "encryption-key-id"
	// MetadataCipher names the cipher.
	MetadataCipher = "encryption-cipher"
	cipherName     = "AES256-GCM"
)

// KeySize is the length of a key in bytes.
const KeySize = 32

// Key is one AES-256 key and its id.
type Key struct {
	ID   string
	aead cipher.AEAD
	raw  []byte
}

// Keyring holds the keys: the first encrypts, all decrypt.
type Keyring struct {
	keys []Key
	byID map[string]Key
}

// ErrNoKey is returned by Parse for an empty key list.
var ErrNoKey = errors.New("no codec key")

// Parse reads a key list: base64 (standard or URL alphabet, padded or not) 32-byte keys
// separated by commas, spaces or new lines; lines starting with # are comments.
func Parse(s string) (*Keyring, error) {
	var keys [][]byte
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			raw, err := decodeKey(f)
			if err != nil {
				return nil, fmt.Errorf("codec key %d: %w", len(keys)+1, err)
			}
			keys = append(keys, raw)
		}
	}
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	return New(keys...)
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		if raw, err = base64.RawURLEncoding.DecodeString(s); err != nil {
			return nil, errors.New("not base64")
		}
	}
	if len(raw) != KeySize {
		return nil, fmt.Errorf("%d bytes, want %d", len(raw), KeySize)
	}
	return raw, nil
}

// New builds a keyring from raw 32-byte keys, the encrypting key first.
func New(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	kr := &Keyring{byID: map[string]Key{}}
	for _, raw := range keys {
		if len(raw) != KeySize {
			return nil, fmt.Errorf("codec key of %d bytes, want %d", len(raw), KeySize)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k := Key{ID: keyID(raw), aead: aead, raw: append([]byte(nil), raw...)}
		if _, dup := kr.byID[k.ID]; dup {
			continue
		}
		kr.keys = append(kr.keys, k)
		kr.byID[k.ID] = k
	}
	return kr, nil
}

// keyID names a key without revealing it: the start of an HMAC of a fixed label under the key.
func keyID(raw []byte) string {
	return hex.EncodeToString(derive(raw, "haloleads codec key id")[:8])
}

func derive(raw []byte, label string) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// GenerateKey returns a new random key, base64-encoded as Parse reads it.
func GenerateKey() (string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// IDs lists the key ids, the encrypting key first.
func (kr *Keyring) IDs() []string {
	out := make([]string, len(kr.keys))
	for i, k := range kr.keys {
		out[i] = k.ID
	}
	return out
}

// IDKey is the HMAC key for lead ids, derived from the last (oldest) key so that adding a key
// does not change the ids of new leads.
func (kr *Keyring) IDKey() []byte {
	return derive(kr.keys[len(kr.keys)-1].raw, "haloleads lead id")
}

// Encode encrypts every payload with the first key.
func (kr *Keyring) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	k := kr.keys[0]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("encrypting a payload: %w", err)
		}
		nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encrypting a payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncoding),
				MetadataKeyID:              []byte(k.ID),
				MetadataCipher:             []byte(cipherName),
			},
			Data: k.aead.Seal(nonce, nonce, plain, []byte(k.ID)),
		}
	}
	return out, nil
}

// Decode decrypts every encrypted payload and passes the others through unchanged (histories
// written before encryption). A payload encrypted with a key not in the ring is an error.
func (kr *Keyring) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		k, ok := kr.byID[id]
		if !ok {
			return nil, fmt.Errorf("payload encrypted with key %q, which is not in HALOLEADS_CODEC_KEY", id)
		}
		ns := k.aead.NonceSize()
		if len(p.Data) < ns {
			return nil, errors.New("encrypted payload too short")
		}
		plain, err := k.aead.Open(nil, p.Data[:ns], p.Data[ns:], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("decrypting a payload with key %q: %w", id, err)
		}
		var dec commonpb.Payload
		if err := dec.Unmarshal(plain); err != nil {
			return nil, fmt.Errorf("decrypting a payload: %w", err)
		}
		out[i] = &dec
	}
	return out, nil
}

// DataConverter is the default data converter with the keyring's encryption.
func (kr *Keyring) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), kr)
}

// FailureConverter encodes failure messages and stack traces as encrypted payloads too (an
// error message may name a person).
func (kr *Keyring) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: kr.DataConverter(), EncodeCommonAttributes: true,
	})
}
