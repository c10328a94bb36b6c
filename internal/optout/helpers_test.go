package optout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// sign signs a delivery as Lusha does (the sandbox's SignLusha, rewritten so the test does not
// trust the code it checks).
func sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(body)))
	return hex.EncodeToString(m.Sum(nil))
}

func upper(s string) string { return strings.ToUpper(s) }
