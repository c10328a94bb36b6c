package codec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"
)

// KeyFile is the key file's name in a data directory (the demo's, or a worker's without
// HALOLEADS_CODEC_KEY): the keys as Parse reads them, mode 0600.
const KeyFile = "codec.key"

// Load returns the keyring of the configured keys (HALOLEADS_CODEC_KEY) or, when none are
// configured, of dir's key file; nil and no error when there is neither.
func Load(configured, dir string) (*Keyring, error) {
	if configured != "" {
		kr, err := Parse(configured)
		if err != nil {
			return nil, fmt.Errorf("HALOLEADS_CODEC_KEY: %w", err)
		}
		return kr, nil
	}
	if dir == "" {
		return nil, nil
	}
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the codec key: %w", err)
	}
	kr, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kr, nil
}

// LoadOrCreate is Load, writing a new key file (0600) in dir first when there is no key at all.
func LoadOrCreate(configured, dir string) (*Keyring, error) {
	kr, err := Load(configured, dir)
	if err != nil || kr != nil {
		return kr, err
	}
	key, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, KeyFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("writing the codec key: %w", err)
	}
	_, err = fmt.Fprintf(f, "# haloleads payload key (HALOLEADS_CODEC_KEY_FILE): the first key encrypts, all decrypt\n%s\n", key)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing the codec key: %w", err)
	}
	return Load("", dir)
}

// Apply returns o with the keyring's data and failure converters; a nil keyring returns o
// unchanged (payloads in clear).
func (kr *Keyring) Apply(o client.Options) client.Options {
	if kr == nil {
		return o
	}
	o.DataConverter, o.FailureConverter = kr.DataConverter(), kr.FailureConverter()
	return o
}
